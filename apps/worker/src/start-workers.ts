import {
  deliverNotesJob,
  linkConversationJob,
  noteQueueNames,
  type PushActionsPayload,
  pushActionsJob,
  pushQueuePrefix,
  queueNames,
  queuePrefix,
  summarizeConversationJob,
} from '@threadline/jobs';
import { Queue, Worker } from 'bullmq';
import type { WorkerDependencies } from './dependencies.js';
import { deliverNotesProcessor } from './processors/deliver-notes.js';
import { linkConversationProcessor } from './processors/link-conversation.js';
import { pushActionsProcessor, pushRetryDelayMs } from './processors/push-actions.js';
import { summarizeConversationProcessor } from './processors/summarize-conversation.js';
import { startPushBatches } from './push-batches.js';

export interface RunningWorkers {
  workers: Worker[];
  /** Stops taking jobs, waits for those in flight, closes the workers' connections. Idempotent. */
  close(): Promise<void>;
}

/**
 * A second guard on top of the per-call budget of the send gate (90 % of what Intercom reports per
 * 10 s): at most 150 jobs a second start per queue (so per notes shard; the gate's budget is the
 * workspace-wide one). BullMQ consults its limiter key only when a limiter is set, so it is also what
 * lets `worker.rateLimit` (a 429, the budget) stop the queue.
 */
const jobLimiter = { max: 150, duration: 1000 };

export function startWorkers(deps: WorkerDependencies): RunningWorkers {
  const { prefix } = deps.config;
  const { concurrency, lockMs, stalledCheckMs } = deps.config.worker;
  // A job whose worker died (kill -9) is taken over once its lock lapses and a check runs.
  const stalledOptions = { lockDuration: lockMs, stalledInterval: stalledCheckMs };
  const linkWorker: Worker = new Worker(
    queueNames.link,
    linkConversationProcessor(deps, () => linkWorker),
    {
      connection: deps.connection,
      prefix: queuePrefix(prefix, queueNames.link),
      concurrency,
      limiter: jobLimiter,
      name: linkConversationJob.name,
      ...stalledOptions,
    },
  );
  // One worker per notes shard, each with WORKER_CONCURRENCY: a conversation's jobs are all on its
  // shard, and the per-conversation lock keeps them one at a time whichever process takes them.
  const noteWorkers = noteQueueNames(deps.config.notes.queueShards).map((queue) => {
    const noteWorker: Worker = new Worker(
      queue,
      deliverNotesProcessor(deps, () => noteWorker),
      {
        connection: deps.connection,
        prefix: queuePrefix(prefix, queue),
        concurrency,
        limiter: jobLimiter,
        name: deliverNotesJob.name,
        ...stalledOptions,
      },
    );
    return noteWorker;
  });
  const summaryWorker: Worker = new Worker(
    queueNames.summaries,
    summarizeConversationProcessor(deps, () => summaryWorker),
    {
      connection: deps.connection,
      prefix: queuePrefix(prefix, queueNames.summaries),
      concurrency,
      limiter: jobLimiter,
      name: summarizeConversationJob.name,
      ...stalledOptions,
    },
  );
  // Push webhooks: their own queue (they talk to subscribers, not Intercom) and the batch former.
  const pushQueue = new Queue<PushActionsPayload>(pushActionsJob.queue, {
    connection: deps.connection,
    prefix: pushQueuePrefix(prefix),
  });
  const pushWorker: Worker = new Worker(pushActionsJob.queue, pushActionsProcessor(deps), {
    connection: deps.connection,
    prefix: pushQueuePrefix(prefix),
    concurrency,
    name: pushActionsJob.name,
    settings: {
      backoffStrategy: (attemptsMade: number) => pushRetryDelayMs(attemptsMade, deps.config.push.retryBaseMs),
    },
    ...stalledOptions,
  });
  const pushBatches = startPushBatches(deps, pushQueue);
  const workers = [linkWorker, ...noteWorkers, summaryWorker, pushWorker];
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
      closing ??= (async () => {
        await pushBatches.close();
        await Promise.all(workers.map((worker) => worker.close()));
        await pushQueue.close();
      })();
      return closing;
    },
  };
}
