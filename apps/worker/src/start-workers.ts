import { deliverNotesJob, linkConversationJob, queueNames, queuePrefix } from '@threadline/jobs';
import { Worker } from 'bullmq';
import type { WorkerDependencies } from './dependencies.js';
import { deliverNotesProcessor } from './processors/deliver-notes.js';
import { linkConversationProcessor } from './processors/link-conversation.js';

export interface RunningWorkers {
  workers: Worker[];
  /** Stops taking jobs, waits for those in flight, closes the workers' connections. Idempotent. */
  close(): Promise<void>;
}

/**
 * Intercom allows 10,000 calls a minute per app; notes stay well inside it (≈ 150/s per queue) and a
 * 429 pauses the queue through BullMQ's rate limiter.
 */
const noteLimiter = { max: 150, duration: 1000 };

export function startWorkers(deps: WorkerDependencies): RunningWorkers {
  const { prefix } = deps.config;
  const concurrency = deps.config.worker.concurrency;
  const linkWorker = new Worker(queueNames.link, linkConversationProcessor(deps), {
    connection: deps.connection,
    prefix: queuePrefix(prefix, queueNames.link),
    concurrency,
    name: linkConversationJob.name,
  });
  const noteWorker: Worker = new Worker(
    queueNames.notes,
    deliverNotesProcessor(deps, () => noteWorker),
    {
      connection: deps.connection,
      prefix: queuePrefix(prefix, queueNames.notes),
      concurrency,
      limiter: noteLimiter,
      name: deliverNotesJob.name,
    },
  );
  const workers = [linkWorker, noteWorker];
  for (const worker of workers) {
    worker.on('failed', (job, error) =>
      deps.logger.warn(
        { queue: worker.name, jobId: job?.id, attempts: job?.attemptsMade, err: error },
        'job failed',
      ),
    );
    worker.on('error', (error) => deps.logger.error({ queue: worker.name, err: error }, 'worker error'));
  }
  let closing: Promise<void> | undefined;
  return {
    workers,
    close() {
      closing ??= Promise.all(workers.map((worker) => worker.close())).then(() => undefined);
      return closing;
    },
  };
}
