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

export interface AppendOptions {
  /**
   * The client's id of each action's event (PostHog `uuid`, …), aligned with the actions: an action
   * whose event id was already stored within the dedupe window is skipped, so a retried request is
   * stored once.
   */
  eventIds?: readonly (string | undefined)[];
  /** Nothing in these actions says the user is identified: a new stream is kept for the shorter retention. */
  isAnonymous?: boolean;
}

export interface AppendResult {
  /** Ids of the actions appended (duplicates left out), in order. */
  ids: string[];
  /** The user had no stored actions before this call. */
  isNewUser: boolean;
}

/** Per-user, capped, time-bound action history. */
export interface ActivityStore {
  /** Appends in order; returns the new ids. */
  append(user: UserRef, actions: Action[], options?: AppendOptions): Promise<AppendResult>;
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
