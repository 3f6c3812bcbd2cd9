import type { DeliveryLock } from './delivery-store.js';

/** One numbered action line as written in a note: already redacted, not HTML-escaped. */
export interface SummaryLine {
  number: number;
  text: string;
}

/** Who wrote a summary's narrative. */
export type SummaryWriterKind = 'llm' | 'extractive';

/** The summary a conversation shows now (the newest, posted and with everything it replaces redacted). */
export interface SummaryRecord {
  partId: string;
  reference: string;
  firstNumber: number;
  lastNumber: number;
  writer: SummaryWriterKind;
  postedAt: string;
  /**
   * The lines it covers, condensed (every error line and the first line naming each page are
   * always kept): what the next summary rolls up, since the raw notes are redacted by then.
   */
  lines: SummaryLine[];
}

/**
 * A summary being written: recorded before it is posted (so a retry looks for it instead of posting
 * a second one), then with its part id once posted, before any part it replaces is redacted.
 */
export interface PendingSummary {
  reference: string;
  html: string;
  firstNumber: number;
  lastNumber: number;
  writer: SummaryWriterKind;
  lines: SummaryLine[];
  /** Part ids it replaces: the raw notes it covers and the summary before it. Redacted after it is posted. */
  replaces: string[];
  /** Null until posted. */
  partId: string | null;
}

export interface SummaryState {
  current: SummaryRecord | null;
  pending: PendingSummary | null;
  /** Parts of `pending.replaces` already redacted. */
  redacted: string[];
}

/** Per-conversation summary progress: pending → posted (part id) → parts redacted one by one → current. */
export interface SummaryStore {
  state(conversationId: string): Promise<SummaryState>;
  /** Records the summary about to be posted (its part id null) or, once posted, with its part id. */
  setPending(conversationId: string, pending: PendingSummary): Promise<void>;
  markRedacted(conversationId: string, partId: string): Promise<void>;
  /** Atomically: `record` becomes current, the pending summary and its redaction marks are cleared. */
  finish(conversationId: string, record: SummaryRecord): Promise<void>;
  /** One summary in flight per conversation, across every worker. Null: another holds it. */
  lock(conversationId: string, ttlMs: number): Promise<DeliveryLock | null>;
}
