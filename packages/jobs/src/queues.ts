import type { LinkRequest } from '@threadline/core';
import { type DefaultJobOptions, Queue } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import {
  deliverNotesJob,
  linkConversationJob,
  type NoteShardQueueName,
  type QueueName,
  queueNames,
  queuePrefix,
} from './job-catalog.js';
import { noteQueueNames, noteShardOf, queueNamesFor } from './note-shards.js';
import { coalesceDelayScript, NotesSendGate, sendGateKeys } from './notes-send-gate.js';
import { summarizeConversationJob, summaryRequestDelayMs } from './summary-job.js';

/**
 * A request is folded into a waiting job only while that job is at least this far from being due, so
 * that it surely has not started even if the clocks of the processes differ a little.
 */
const waitingMarginMs = 250;

/** A request may leave the waiting job this share of the debounce earlier than it would have set it. */
const debounceSlack = 0.1;

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
  /**
   * Asks for a note delivery: a trailing-edge debounce of `coalesceMs` (each request pushes the
   * waiting job back), never later than `maxWaitMs` after the window's first request; both widen by
   * the coalescing factor under rate pressure. Requests inside the window join the job already
   * waiting, so a burst of actions becomes one note.
   */
  requestDelivery(conversationId: string, options?: { immediate?: boolean }): Promise<void>;
  /** Asks for a summary check of the conversation (after a delivery posted notes); debounced. */
  requestSummary(conversationId: string): Promise<void>;
  /**
   * Workspace-wide send control (budget, 429 waits, 401/403 pause), shared through Redis: one for all
   * the notes shards; pausing it pauses every shard.
   */
  sendGate: NotesSendGate;
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
}

/** `connection`: an ioredis client (producer or worker policy); queues and the send gate share it. */
export function createQueues(connection: Redis | Cluster, options: QueueOptions): ThreadlineQueues {
  const make = (name: QueueName) =>
    new Queue(name, { connection, prefix: queuePrefix(options.prefix, name), defaultJobOptions });
  const shards = options.noteQueueShards ?? 1;
  const names = queueNamesFor(shards);
  const queues = Object.fromEntries(names.map((name) => [name, make(name)])) as QueueSet;
  const noteQueues = noteQueueNames(shards).map((name) => queues[name] as Queue);
  const noteQueueFor = (conversationId: string) => noteQueues[noteShardOf(conversationId, shards)] as Queue;
  // The gate stays under shard 0's tag whatever the number of shards: one workspace, one budget, one
  // pause flag (and a default deployment's keys do not move).
  const gateKeys = sendGateKeys(queuePrefix(options.prefix, queueNames.notes));
  const sendGate = new NotesSendGate(connection, noteQueues, gateKeys);
  // Without rate pressure no action waits much more than the debounce: a steady stream of actions is
  // cut into notes at most a second past it (the p99 goal of issue 5 is debounce + 1.5 s).
  const maxWaitMs = Math.max(options.maxWaitMs ?? options.coalesceMs + 1000, options.coalesceMs);
  let closed: Promise<void> | undefined;
  return {
    queues,
    names,
    noteQueues,
    noteQueueFor,
    sendGate,
    async enqueueLink(request) {
      const payload = linkConversationJob.payload.parse(request);
      await queues.link.add(linkConversationJob.name, payload, {
        jobId: linkConversationJob.jobId(request.notificationId),
      });
    },
    async requestDelivery(conversationId, requestOptions = {}) {
      const payload = deliverNotesJob.payload.parse({ conversationId });
      // Every request of a conversation goes to its one shard: order and deduplication are per queue.
      const queue = noteQueueFor(conversationId);
      // The first note of a new link goes out at once; the per-conversation lock keeps it single.
      if (requestOptions.immediate || options.coalesceMs <= 1)
        return void (await queue.add(deliverNotesJob.name, payload));
      const deduplicationId = deliverNotesJob.deduplicationId(conversationId);
      // BullMQ's deduplication key lives while the conversation's job waits, until just before it is
      // due (its TTL is the delay - 1), and goes with a job removed by hand: its PTTL says when the
      // waiting job will read, if there is one.
      const untilDueMs = await connection.pttl(`${queue.keys.de}:${deduplicationId}`);
      const [delay, , alreadyWaiting] = (await coalesceDelayScript.run(
        connection,
        [gateKeys.window(deduplicationId), gateKeys.pressure, gateKeys.pressureFloor],
        [
          Date.now(),
          options.coalesceMs,
          maxWaitMs,
          waitingMarginMs,
          debounceSlack,
          untilDueMs >= 0 ? untilDueMs + 1 : -1,
        ],
      )) as [number, string, number];
      if (alreadyWaiting === 1) return;
      // Debounce: a request replaces the job still waiting (`replace`) and pushes it back (`extend`).
      // The deduplication window closes just before the job starts, so a request that was folded into
      // a job always happened before that job reads the actions; a request made while a job runs makes
      // the next one, and the per-conversation lock keeps them one at a time.
      const deduplication =
        delay > 1
          ? { deduplication: { id: deduplicationId, ttl: delay - 1, extend: true, replace: true } }
          : {};
      await queue.add(deliverNotesJob.name, payload, { delay, ...deduplication });
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
