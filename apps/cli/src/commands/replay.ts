import type { QueueName } from '@threadline/jobs';
import type { Job } from 'bullmq';
import type { Command } from 'commander';
import { CliError, printJson, printLines } from '../cli-io.js';
import {
  allQueues,
  type CommandContext,
  jsonOption,
  productOfJob,
  productOption,
  queueOption,
  selectedQueues,
} from '../command-context.js';
import type { Services } from '../connect.js';
import { renderTable } from '../format.js';

export interface ReplayTarget {
  queue: QueueName;
  id: string;
  name: string;
}

export interface ReplayReport {
  isDryRun: boolean;
  /** Moved back to waiting (or, in a dry run, would be). */
  replayed: ReplayTarget[];
  /** Left the failed set between listing and retrying (retried or removed by someone else). */
  skipped: (ReplayTarget & { reason: string })[];
}

interface ReplayOptions {
  queue?: QueueName;
  /** `--all` replays only this product's failed jobs. */
  product?: string;
  all?: boolean;
  dryRun?: boolean;
  json?: boolean;
}

async function failedJobsOf(services: Services, queue: QueueName): Promise<Job[]> {
  const ids = await services.queue(queue).getRanges(['failed'], 0, -1);
  const jobs = await Promise.all(ids.map((id) => services.queue(queue).getJob(id)));
  return jobs.filter((job): job is Job => job !== undefined);
}

/** The failed job `jobId`, in `queue` or in whichever queue holds it. */
async function findFailedJob(
  services: Services,
  jobId: string,
  queue: QueueName | undefined,
): Promise<Job[]> {
  const candidates = selectedQueues(services.config, queue);
  const found = (
    await Promise.all(
      candidates.map(async (name) => ({ name, job: await services.queue(name).getJob(jobId) })),
    )
  ).filter((entry): entry is { name: QueueName; job: Job } => entry.job !== undefined);
  if (found.length === 0) {
    throw new CliError(
      queue
        ? `no job "${jobId}" in queue ${queue}`
        : `no job "${jobId}" in any queue (${allQueues(services.config).join(', ')})`,
    );
  }
  if (found.length > 1) {
    throw new CliError(
      `job "${jobId}" exists in ${found.map((entry) => entry.name).join(' and ')}: add --queue`,
    );
  }
  const [{ name, job }] = found as [{ name: QueueName; job: Job }];
  const state = await job.getState();
  if (state !== 'failed') {
    throw new CliError(
      `job "${jobId}" in queue ${name} is ${state}, not failed: only failed jobs are replayed`,
    );
  }
  return [job];
}

function targetOf(job: Job): ReplayTarget {
  return { queue: job.queueName as QueueName, id: String(job.id), name: job.name };
}

export async function replay(
  services: Services,
  jobId: string | undefined,
  options: ReplayOptions,
): Promise<ReplayReport> {
  if (jobId !== undefined && options.all) throw new CliError('give either a job id or --all, not both');
  if (jobId === undefined && !options.all) {
    throw new CliError('nothing to replay: give a job id, or --all (with --queue to limit it to one queue)');
  }
  const found =
    jobId !== undefined
      ? await findFailedJob(services, jobId, options.queue)
      : (
          await Promise.all(
            selectedQueues(services.config, options.queue).map((queue) => failedJobsOf(services, queue)),
          )
        ).flat();
  const products =
    options.product === undefined
      ? []
      : await Promise.all(found.map((job) => productOfJob(services, job.data)));
  const jobs =
    options.product === undefined
      ? found
      : found.filter((_job, index) => products[index] === options.product);
  const report: ReplayReport = { isDryRun: options.dryRun === true, replayed: [], skipped: [] };
  for (const job of jobs) {
    if (options.dryRun) {
      report.replayed.push(targetOf(job));
      continue;
    }
    try {
      // A replayed job gets the whole retry policy again, as if it were new: an operator replays after
      // fixing the cause, and one more attempt would fail again at the first hiccup.
      await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
      report.replayed.push(targetOf(job));
    } catch (error) {
      if (jobId !== undefined)
        throw new CliError(`could not replay job "${jobId}": ${(error as Error).message}`);
      report.skipped.push({ ...targetOf(job), reason: (error as Error).message });
    }
  }
  return report;
}

export function renderReplay(report: ReplayReport): string[] {
  const count = report.replayed.length;
  const noun = count === 1 ? 'job' : 'jobs';
  const lines = [
    report.isDryRun ? `Would replay ${count} failed ${noun}.` : `Replayed ${count} failed ${noun}.`,
  ];
  if (report.isDryRun && count > 0) {
    lines.push(
      ...renderTable(
        ['queue', 'id', 'name'],
        report.replayed.map((job) => [job.queue, job.id, job.name]),
      ),
    );
  }
  if (report.skipped.length > 0) {
    lines.push(`Skipped ${report.skipped.length} that left the failed set meanwhile:`);
    lines.push(...report.skipped.map((job) => `  ${job.queue} ${job.id}: ${job.reason}`));
  }
  return lines;
}

export function registerReplayCommand(program: Command, context: CommandContext): void {
  program
    .command('replay')
    .description('move failed jobs back to waiting, with their retry policy reset')
    .argument('[jobId]', 'the failed job to replay')
    .addOption(queueOption('the queue of the job, or the only queue --all replays'))
    .option('--all', 'every failed job (of --queue, or of every queue)')
    .addOption(productOption('only the jobs of this product (workspace); default every product'))
    .option('--dry-run', 'list what would be replayed, change nothing')
    .addOption(jsonOption())
    .action(async (jobId: string | undefined, options: ReplayOptions) => {
      const report = await replay(await context.services(), jobId, options);
      if (options.json) printJson(context.io, report);
      else printLines(context.io, renderReplay(report));
    });
}
