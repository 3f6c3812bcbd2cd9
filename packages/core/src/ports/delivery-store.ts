import type { CatchUp } from './link-store.js';

/** One numbered line of a note, plain text as the note shows it (what summaries read). */
export interface NoteLine {
  number: number;
  text: string;
}

/** A note about to be posted: written down first so that a retry can tell whether it already went out. */
export interface PendingNote {
  reference: string;
  html: string;
  firstNumber: number;
  lastNumber: number;
  /** Id of the newest action the note carries; becomes the cursor once posted. */
  lastActionId: string;
  /** The numbered lines as written (plain text): Threadline's own record, what summaries read. */
  lines?: NoteLine[];
  /** The catch-up note after a pause: committing it clears the catch-up mark. */
  isCatchUp?: boolean;
  /**
   * The latest event time written once this note is in (ISO; absent: unchanged). A later-arriving
   * action older than it is marked as earlier in the next note.
   */
  writtenThrough?: string;
}

export interface WrittenNote {
  partId: string;
  reference: string;
  firstNumber: number;
  lastNumber: number;
  postedAt: string;
  /** The note's numbered lines (absent on notes written before lines were recorded). */
  lines?: NoteLine[];
}

export interface DeliveryState {
  /** Id of the newest action already in a note (null: none yet). */
  cursor: string | null;
  nextNumber: number;
  /** The latest event time any note carried (ISO), null before the first or for older deliveries. */
  writtenThrough: string | null;
  pending: PendingNote | null;
  /** Set when the link resumed after a pause: the next note is the one catch-up note. */
  catchUp: CatchUp | null;
}

export interface DeliveryStore {
  state(conversationId: string): Promise<DeliveryState>;
  setPending(conversationId: string, pending: PendingNote): Promise<void>;
  /** Atomically: records the note, advances the cursor and the numbering, clears `pending`. */
  commit(conversationId: string, pending: PendingNote, partId: string, postedAt: string): Promise<void>;
  notes(conversationId: string): Promise<WrittenNote[]>;
  /**
   * The link resumed with nothing to catch up on; with `skipThroughActionId` the cursor moves there
   * (the actions of the pause are left out, as `PRECHAT_ACTIONS=0` asks).
   */
  clearCatchUp(conversationId: string, skipThroughActionId?: string): Promise<void>;
  /** One delivery in flight per conversation, across every worker. Null: another holds it. */
  lock(conversationId: string, ttlMs: number): Promise<DeliveryLock | null>;
}

/** A held per-conversation lock. It lapses after its TTL if the holder dies. */
export interface DeliveryLock {
  release(): Promise<void>;
  /** Pushes the lapse back to `ttlMs` from now; false when the lock was lost (lapsed and taken). */
  extend(ttlMs: number): Promise<boolean>;
}
