import { activityNotice } from '../notes/activity-notice.js';
import type { FeedEntry } from '../ports/product-feed.js';
import { type ConsumerAction, inertJson, toConsumerAction } from './consumer-action.js';

export interface PushBatchLimits {
  /** PUSH_BATCH_MAX_ACTIONS: a batch is sent as soon as it has this many. */
  maxActions: number;
  /** PUSH_BATCH_MAX_WAIT_MS: a smaller batch is sent once its oldest action waited this long. */
  maxWaitMs: number;
}

/** Feed ids start with the time they were stored (ms). */
function storedAt(entry: FeedEntry): number {
  return Number(entry.id.split('-')[0]);
}

/**
 * What to send now from the entries after a subscription's cursor (oldest first): the first
 * `maxActions`, once there are that many or the oldest has waited `maxWaitMs`; else nothing yet.
 */
export function takePushBatch(entries: FeedEntry[], now: number, limits: PushBatchLimits): FeedEntry[] {
  const first = entries[0];
  if (!first) return [];
  if (entries.length >= limits.maxActions || now - storedAt(first) >= limits.maxWaitMs)
    return entries.slice(0, limits.maxActions);
  return [];
}

/**
 * `webhook-id` of a batch: the same for every retry of it (receivers dedupe on it), different for
 * every batch (its bounds are feed ids, which are unique).
 */
export function pushWebhookId(subscriptionId: string, batch: FeedEntry[]): string {
  return `msg_${subscriptionId}_${batch[0]?.id ?? ''}_${batch.at(-1)?.id ?? ''}`;
}

/** The body of a push, in Standard Webhooks' recommended `{ type, timestamp, data }` form. */
export interface PushBody {
  type: 'activity.actions';
  timestamp: string;
  data: { notice: string; product_id: string; actions: ConsumerAction[] };
}

/** The batch as JSON, presented as the MCP tool and the stream present actions (notice first, `<>` escaped). */
export function pushBody(productId: string, batch: FeedEntry[], now: Date): string {
  const body: PushBody = {
    type: 'activity.actions',
    timestamp: now.toISOString(),
    data: {
      notice: activityNotice,
      product_id: productId,
      actions: batch.map((entry) => toConsumerAction(entry.userId, entry.action)),
    },
  };
  return inertJson(body);
}
