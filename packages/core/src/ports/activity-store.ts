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
  /**
   * Remembers (for the retention period) that this id is a known user: an event said or proved it is
   * not an anonymous visitor, or an `$identify` named it. Such an id is never merged into another.
   */
  markIdentified?: boolean;
  /**
   * Keeps the actions apart from the user's history: anonymous, unverified actions that no note or
   * tool reads, which only a verified `$identify` moves into a user (`CAPTURE_IDENTITY=require`).
   */
  pending?: boolean;
}

/** What `merge` did: moved the anonymous id's actions, or why it moved nothing. */
export type MergeOutcome =
  | { kind: 'merged'; moved: number }
  /** The id itself is a known user (see {@link AppendOptions.markIdentified}). */
  | { kind: 'identified' }
  | { kind: 'has_conversation' }
  /** The id was already merged (into this user or another): an id is merged at most once. */
  | { kind: 'already_merged' };

/** What capture needs to know about an id before it routes that id's anonymous events. */
export interface IdentityState {
  /** The user the id was merged into, or null. */
  mergedInto: string | null;
  /** A known user (marked, or with an open conversation): never merged, never followed elsewhere. */
  isIdentified: boolean;
}

export interface AppendResult {
  /** Ids of the actions appended (duplicates left out), in order. */
  ids: string[];
  /**
   * Which of the given actions those are (0-based, aligned with `ids`); absent: every one of them.
   */
  appendedIndexes?: number[];
  /**
   * How many of the given actions were left out because their event time is older than the
   * retention (not duplicates); absent: none.
   */
  expired?: number;
  /** The user had no stored actions before this call. */
  isNewUser: boolean;
  /**
   * The user's linked conversations (open or paused), read in the same call; empty for pending
   * actions. Capture checks only these for being open, so a user without one costs one call.
   */
  conversations: string[];
}

/** One user's actions of one request, for {@link ActivityStore.appendAll}. */
export interface UserAppend {
  user: UserRef;
  actions: Action[];
  options?: AppendOptions;
}

/** Per-user, capped, time-bound action history. */
export interface ActivityStore {
  /** Appends in order, leaving out events already stored; with no actions it only applies the options. */
  append(user: UserRef, actions: Action[], options?: AppendOptions): Promise<AppendResult>;
  /** Several users' appends at once (one pipeline), answers in the same order. */
  appendAll(appends: readonly UserAppend[]): Promise<AppendResult[]>;
  /** Oldest first, strictly after `afterId` (null: from the oldest kept). */
  listAfter(user: UserRef, afterId: string | null, limit: number): Promise<StoredAction[]>;
  /** The newest `limit` actions, oldest first. */
  listRecent(user: UserRef, limit: number): Promise<StoredAction[]>;
  /**
   * Moves an anonymous visitor's actions (history and pending) to the identified user after
   * `$identify`, only when `from` is not a known user, has no conversation and was never merged.
   * It claims `from` once and for all (the identified-as pointer, kept for the retention period, so
   * events of `from` that arrive later can follow), copies, then deletes only what it copied, and
   * marks `into` as identified.
   */
  merge(from: UserRef, into: UserRef): Promise<MergeOutcome>;
  identityOf(user: UserRef): Promise<IdentityState>;
}
