import type { LinkRequest } from '@threadline/core';
import { type ConnectionOptions, type DefaultJobOptions, Queue } from 'bullmq';
import {
  deliverNotesJob,
  linkConversationJob,
  type QueueName,
  queueNames,
  queuePrefix,
} from './job-catalog.js';

/** Retries with exponential backoff and jitter; what is left lands in the failed set, replayable. */
const defaultJobOptions: DefaultJobOptions = {
  attempts: 10,
  backoff: { type: 'exponential', delay: 1000, jitter: 0.5 },
  removeOnComplete: { count: 1000, age: 24 * 3600 },
  removeOnFail: { age: 14 * 24 * 3600 },
};

export interface ThreadlineQueues {
  queues: Record<QueueName, Queue>;
  enqueueLink(request: LinkRequest): Promise<void>;
  /**
   * Asks for a note delivery after `coalesceMs`. Requests inside the window join the job already
   * waiting, so a burst of actions becomes one note.
   */
  requestDelivery(conversationId: string, options?: { immediate?: boolean }): Promise<void>;
  close(): Promise<void>;
}

export function createQueues(
  connection: ConnectionOptions,
  options: { prefix: string; coalesceMs: number },
): ThreadlineQueues {
  const make = (name: QueueName) =>
    new Queue(name, { connection, prefix: queuePrefix(options.prefix, name), defaultJobOptions });
  const queues = { link: make(queueNames.link), notes: make(queueNames.notes) };
  let closed: Promise<void> | undefined;
  return {
    queues,
    async enqueueLink(request) {
      const payload = linkConversationJob.payload.parse(request);
      await queues.link.add(linkConversationJob.name, payload, {
        jobId: linkConversationJob.jobId(request.notificationId),
      });
    },
    async requestDelivery(conversationId, requestOptions = {}) {
      const payload = deliverNotesJob.payload.parse({ conversationId });
      // The first note of a new link goes out at once; the per-conversation lock keeps it single.
      if (requestOptions.immediate) return void (await queues.notes.add(deliverNotesJob.name, payload));
      const deduplication =
        options.coalesceMs > 1
          ? // The window closes just before the job starts, so a request that was folded into this job
            // always happened before the job reads the actions.
            {
              deduplication: {
                id: deliverNotesJob.deduplicationId(conversationId),
                ttl: options.coalesceMs - 1,
              },
            }
          : {};
      await queues.notes.add(deliverNotesJob.name, payload, { delay: options.coalesceMs, ...deduplication });
    },
    close() {
      closed ??= Promise.all(Object.values(queues).map((queue) => queue.close())).then(() => undefined);
      return closed;
    },
  };
}
