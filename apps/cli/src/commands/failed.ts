import type { QueueName } from '@threadline/jobs';
import type { Command } from 'commander';
import { printJson, printLines } from '../cli-io.js';
import {
  type CommandContext,
  jsonOption,
  positiveInteger,
  productOfJob,
  productOption,
  queueOption,
  selectedQueues,
} from '../command-context.js';
import type { Services } from '../connect.js';
import { formatDuration, oneLine, renderTable } from '../format.js';

export interface FailedJob {
  queue: QueueName;
  id: string;
  name: string;
  failedReason: string;
  attemptsMade: number;
  failedAt: string | null;
  /** Since it failed (or, without a finish time, since it was created). */
  ageMs: number;
}

/**
 * The newest `limit` failed jobs across `queues`, newest first; with `productId`, only that product's
 * (and jobs of no product, like push batches, never).
 */
export async function listFailed(
  services: Services,
  queues: QueueName[],
  limit: number,
  now: Date,
  productId?: string,
): Promise<FailedJob[]> {
  const perQueue = await Promise.all(
    queues.map(async (queue) => {
      // The failed set is ordered by finish time; BullMQ returns it newest first.
      const all = await services.queue(queue).getFailed(0, productId === undefined ? limit - 1 : -1);
      const products = await Promise.all(all.map((job) => productOfJob(services, job.data)));
      const jobs = productId === undefined ? all : all.filter((_job, index) => products[index] === productId);
      return jobs.map((job): FailedJob => {
        const failedAt = job.finishedOn ?? null;
        return {
          queue,
          id: String(job.id),
          name: job.name,
          failedReason: job.failedReason ?? '',
          attemptsMade: job.attemptsMade,
          failedAt: failedAt === null ? null : new Date(failedAt).toISOString(),
          ageMs: Math.max(0, now.getTime() - (failedAt ?? job.timestamp)),
        };
      });
    }),
  );
  return perQueue
    .flat()
    .sort((a, b) => a.ageMs - b.ageMs)
    .slice(0, limit);
}

export function renderFailed(jobs: FailedJob[]): string[] {
  if (jobs.length === 0) return ['No failed jobs.'];
  return [
    `Failed jobs (${jobs.length}, newest first)`,
    ...renderTable(
      ['queue', 'id', 'name', 'attempts', 'age', 'reason'],
      jobs.map((job) => [
        job.queue,
        job.id,
        job.name,
        String(job.attemptsMade),
        formatDuration(job.ageMs),
        oneLine(job.failedReason),
      ]),
      [3],
    ),
  ];
}

export function registerFailedCommand(program: Command, context: CommandContext): void {
  program
    .command('failed')
    .description('failed jobs, newest first')
    .addOption(queueOption('only this queue'))
    .addOption(productOption('only the jobs of this product (workspace); default every product'))
    .option('-n, --limit <n>', 'most jobs to list', positiveInteger(10_000), 20)
    .addOption(jsonOption())
    .action(async (options: { queue?: QueueName; product?: string; limit: number; json?: boolean }) => {
      const services = await context.services();
      const jobs = await listFailed(
        services,
        selectedQueues(services.config, options.queue),
        options.limit,
        context.now(),
        options.product,
      );
      if (options.json) printJson(context.io, { jobs });
      else printLines(context.io, renderFailed(jobs));
    });
}
