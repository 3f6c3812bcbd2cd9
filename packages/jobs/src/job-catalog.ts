import { z } from 'zod';
import { jobIdPart } from './job-id.js';
import { summariesQueueName } from './summary-job.js';

/**
 * Queue names. Each queue lives under its own hash tag (see `queuePrefix`). `notes` is the first shard
 * of the notes queue; with NOTE_QUEUE_SHARDS > 1 the others are `notes-1`, `notes-2`, … (see
 * `note-shards.ts`).
 */
export const queueNames = {
  link: 'link',
  notes: 'notes',
  summaries: summariesQueueName,
  /** Push webhooks to subscribers (`threadline subscriptions`). */
  push: 'push',
} as const;

/** A notes shard after the first: `notes-1`, `notes-2`, … */
export type NoteShardQueueName = `notes-${number}`;

export type QueueName = (typeof queueNames)[keyof typeof queueNames] | NoteShardQueueName;

/**
 * BullMQ prefix for one queue: `{<prefix>-<queue>}` keeps all of a queue's keys in one Redis Cluster
 * slot while different queues spread over the cluster.
 */
export function queuePrefix(prefix: string, queue: QueueName): string {
  return `{${prefix}-${queue}}`;
}

const contact = z.object({
  contactId: z.string(),
  externalId: z.string().nullable(),
  email: z.string().nullable(),
});

/** `link-conversation`: tie a conversation to the product user behind its contact. */
export const linkConversationJob = {
  name: 'link-conversation',
  queue: queueNames.link,
  payload: z.object({
    notificationId: z.string(),
    topic: z.string(),
    appId: z.string().nullable(),
    /** The workspace's product (routed by `app_id`); absent on jobs enqueued before workspaces. */
    productId: z.string().optional(),
    conversationId: z.string(),
    conversationCreatedAt: z.number().nullable(),
    contact: contact.nullable(),
    receivedAt: z.string(),
    notificationAt: z.number().nullish(),
    mergedFrom: z.array(z.string()).max(100).optional(),
  }),
  /** One job per notification; BullMQ refuses `:` in custom ids. */
  jobId: (notificationId: string) => `link-${jobIdPart(notificationId)}`,
} as const;

/**
 * `deliver-notes`: write a linked conversation's new actions as notes. Its queue is the conversation's
 * notes shard (`noteQueueName(noteShardOf(conversationId, shards))`); `notes` is shard 0.
 */
export const deliverNotesJob = {
  name: 'deliver-notes',
  queue: queueNames.notes,
  payload: z.object({ conversationId: z.string() }),
  /** Coalescing key: requests for one conversation inside the window become one job. */
  deduplicationId: (conversationId: string) => `deliver-${jobIdPart(conversationId)}`,
} as const;

/**
 * `push-actions`: POST one batch of a product's new actions to a push subscription, on its own queue
 * (it talks to subscribers, not Intercom; `status`, `failed`, `/metrics` and the board list it). The
 * payload carries the signed body's content, so every retry sends the same batch.
 */
export const pushActionsJob = {
  name: 'push-actions',
  queue: queueNames.push,
  payload: z.object({
    subscriptionId: z.string(),
    /** `webhook-id`: stable across retries. */
    webhookId: z.string(),
    /** The JSON body (`pushBody`); signed afresh on each attempt with that attempt's timestamp. */
    body: z.string(),
    actions: z.number().int(),
    /** When the batch was formed (ms): failing past PUSH_RETRY_FOR_MS from it disables the subscription. */
    formedAt: z.number(),
  }),
  /** One job per batch: forming the same batch twice (a crash before the cursor moved) adds nothing. */
  jobId: (webhookId: string) => `push-${jobIdPart(webhookId)}`,
} as const;

/** BullMQ prefix of the push queue, under its own hash tag like every queue. */
export function pushQueuePrefix(prefix: string): string {
  return queuePrefix(prefix, pushActionsJob.queue);
}

export type PushActionsPayload = z.infer<typeof pushActionsJob.payload>;

export type LinkConversationPayload = z.infer<typeof linkConversationJob.payload>;
export type DeliverNotesPayload = z.infer<typeof deliverNotesJob.payload>;
