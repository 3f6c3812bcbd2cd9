import type { DeliveryScheduler, LinkRequest } from '@threadline/core';
import {
  jobIdPart,
  linkConversationJob,
  type NoteShardQueueName,
  noteQueueNames,
  noteShardOf,
  type QueueName,
  queueNames,
  queueNamesFor,
  queuePrefix,
  summarizeConversationJob,
  summaryRequestDelayMs,
} from '@threadline/jobs';
import type { RedisClient } from '@threadline/redis-store';
import { type DefaultJobOptions, Queue } from 'bullmq';
import { BullmqDeliveryScheduler } from './delivery-scheduler/bullmq-delivery-scheduler.js';
import { RedisIntercomSendGate } from './send-gate/redis-intercom-send-gate.js';
import { sendGateKeys, workspaceSendGateKeys } from './send-gate/send-gate-keys.js';

/** Retries with exponential backoff and jitter; what is left lands in the failed set, replayable. */
const defaultJobOptions: DefaultJobOptions = {
  attempts: 10,
  backoff: { type: 'exponential', delay: 1000, jitter: 0.5 },
  removeOnComplete: { count: 1000, age: 24 * 3600 },
  removeOnFail: { age: 14 * 24 * 3600 },
};

/**
 * Every queue by name, in catalog order (link, notes, notes-1, …, summaries): what `/metrics`, Bull
 * Board and the CLI list. `notes` is shard 0; `notes-<k>` exist only with NOTE_QUEUE_SHARDS > k.
 */
export type QueueSet = Readonly<
  Record<Exclude<QueueName, NoteShardQueueName>, Queue> & Record<NoteShardQueueName, Queue>
>;

export interface ThreadlineQueues {
  queues: QueueSet;
  /** The names of `queues`, in the same order. */
  names: readonly QueueName[];
  /** The notes shards, index = shard (see `noteShardOf`). */
  noteQueues: readonly Queue[];
  /** The notes shard that holds a conversation's deliveries. */
  noteQueueFor(conversationId: string): Queue;
  enqueueLink(request: LinkRequest): Promise<void>;
  /** Note deliveries, coalesced per conversation on its notes shard. */
  deliveries: DeliveryScheduler;
  /** Asks for a summary check of the conversation (after a delivery posted notes); debounced. */
  requestSummary(conversationId: string): Promise<void>;
  /** The PRODUCT_ID workspace's send gate (`sendGateFor(PRODUCT_ID)`). */
  sendGate: RedisIntercomSendGate;
  /**
   * One workspace's send control (budget, 429 waits, 401/403 pause), shared through Redis by every
   * worker and notes shard; each product's workspace has its own.
   */
  sendGateFor(productId: string): RedisIntercomSendGate;
  /** Closes every queue. Idempotent. */
  close(): Promise<void>;
}

export interface QueueOptions {
  prefix: string;
  /** NOTE_COALESCE_MS. */
  coalesceMs: number;
  /** NOTE_MAX_WAIT_MS; default `coalesceMs` + 1 s. */
  maxWaitMs?: number | undefined;
  /** NOTE_QUEUE_SHARDS: how many queues the deliveries are spread over; default 1 (`notes` only). */
  noteQueueShards?: number;
  /** PRODUCT_ID: its workspace keeps the gate keys of a single-workspace deployment. Default `default`. */
  environmentProductId?: string;
  /**
   * The product a conversation is linked to (its workspace's rate pressure widens its coalescing);
   * unset or null: the PRODUCT_ID workspace's.
   */
  productOfConversation?: (conversationId: string) => Promise<string | null>;
}

/** `connection`: an ioredis client (producer or worker policy); queues, scheduler and gate share it. */
export function createQueues(connection: RedisClient, options: QueueOptions): ThreadlineQueues {
  const make = (name: QueueName) =>
    new Queue(name, { connection, prefix: queuePrefix(options.prefix, name), defaultJobOptions });
  const shards = options.noteQueueShards ?? 1;
  const names = queueNamesFor(shards);
  const queues = Object.fromEntries(names.map((name) => [name, make(name)])) as QueueSet;
  const noteQueues = noteQueueNames(shards).map((name) => queues[name] as Queue);
  const noteQueueFor = (conversationId: string) => noteQueues[noteShardOf(conversationId, shards)] as Queue;
  // The gates stay under shard 0's tag whatever the number of shards: one budget and one pause flag per
  // workspace (and a single-workspace deployment's keys do not move).
  const gateTag = queuePrefix(options.prefix, queueNames.notes);
  const environmentProductId = options.environmentProductId ?? 'default';
  const gateKeys = sendGateKeys(gateTag);
  const gateKeysFor = (productId: string) =>
    workspaceSendGateKeys(gateTag, productId, environmentProductId, jobIdPart);
  const gates = new Map<string, RedisIntercomSendGate>();
  const sendGateFor = (productId: string) => {
    let gate = gates.get(productId);
    if (!gate) {
      gate = new RedisIntercomSendGate(connection, noteQueues, gateKeysFor(productId));
      gates.set(productId, gate);
    }
    return gate;
  };
  let closed: Promise<void> | undefined;
  return {
    queues,
    names,
    noteQueues,
    noteQueueFor,
    sendGate: sendGateFor(environmentProductId),
    sendGateFor,
    deliveries: new BullmqDeliveryScheduler(connection, {
      coalesceMs: options.coalesceMs,
      maxWaitMs: options.maxWaitMs,
      noteQueueFor,
      keys: gateKeys,
      ...(options.productOfConversation
        ? {
            pressureKeysFor: async (conversationId: string, productId?: string) => {
              const product = productId ?? (await options.productOfConversation?.(conversationId));
              return product ? gateKeysFor(product) : gateKeys;
            },
          }
        : {}),
    }),
    async enqueueLink(request) {
      const payload = linkConversationJob.payload.parse(request);
      await queues.link.add(linkConversationJob.name, payload, {
        jobId: linkConversationJob.jobId(request.notificationId),
      });
    },
    async requestSummary(conversationId) {
      const payload = summarizeConversationJob.payload.parse({ conversationId });
      // Joins a job still waiting; a request made while one runs makes the next (the lock serializes).
      await queues.summaries.add(summarizeConversationJob.name, payload, {
        delay: summaryRequestDelayMs,
        deduplication: {
          id: summarizeConversationJob.deduplicationId(conversationId),
          ttl: summaryRequestDelayMs - 1,
        },
      });
    },
    close() {
      closed ??= Promise.all(Object.values(queues).map((queue) => queue.close())).then(() => undefined);
      return closed;
    },
  };
}
