import type { Action } from '../actions/action.js';

/** A user of one product: the product's stable user id (Intercom's `external_id`). */
export interface UserRef {
  productId: string;
  userId: string;
}

/** An action as stored: `id` orders one user's actions and is how delivery remembers where it is. */
export interface StoredAction extends Action {
  id: string;
}

/** Per-user, capped, time-bound action history. */
export interface ActivityStore {
  /** Appends in order; returns the new ids. */
  append(user: UserRef, actions: Action[]): Promise<string[]>;
  /** Oldest first, strictly after `afterId` (null: from the oldest kept). */
  listAfter(user: UserRef, afterId: string | null, limit: number): Promise<StoredAction[]>;
  /** The newest `limit` actions, oldest first. */
  listRecent(user: UserRef, limit: number): Promise<StoredAction[]>;
  /**
   * Moves an anonymous visitor's actions to the identified user (after `$identify`) and remembers
   * the move for the retention period, so events of `from` that arrive later follow it.
   */
  merge(from: UserRef, into: UserRef): Promise<number>;
  /** The user id an anonymous id was merged into, or null. */
  identifiedAs(user: UserRef): Promise<string | null>;
}
