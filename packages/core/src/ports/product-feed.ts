import type { Action } from '../actions/action.js';

/** One action in a product's feed: who did it, and the action as stored for that user. */
export interface FeedEntry {
  /** The feed's own id: orders every action of the product; the SSE `id:` and a push batch's bounds. */
  id: string;
  userId: string;
  action: Action;
}

/**
 * Every new action of a product, in the order they were stored, kept for a short retention: what the
 * live stream and push webhooks read. Written after the user's own stream, never instead of it.
 */
export interface ProductFeed {
  append(productId: string, entries: { userId: string; action: Action }[]): Promise<void>;
  /** Oldest first, strictly after `afterId` (`0-0`: from the oldest kept). */
  readAfter(productId: string, afterId: string, limit: number): Promise<FeedEntry[]>;
  /** The newest entry's id, or `0-0` when the feed is empty. */
  latestId(productId: string): Promise<string>;
}
