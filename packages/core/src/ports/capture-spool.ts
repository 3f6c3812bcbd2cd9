import type { CaptureKeyKind } from './capture-reader.js';

/** The source whose decoder reads a spooled copy. */
export type CopySource = 'posthog' | 'segment' | 'amplitude';

/**
 * One forwarded request as the spool keeps it: the raw bytes exactly as received and the few facts
 * the source's decoder needs. Nothing of the request that is not needed (cookies, other headers) is kept.
 */
export interface SpooledCopy {
  source: CopySource;
  method: string;
  /** The path without the query (`/e/`, `/segment/v1/t`, `/amplitude/2/httpapi`). */
  path: string;
  /** The query string with its `?`, or empty. */
  query: string;
  contentType?: string | undefined;
  contentEncoding?: string | undefined;
  /**
   * Segment's Basic auth user, already checked by the proxy (`public`, `server`, or `unknown` for
   * another key); absent without Basic auth. The key itself is never spooled.
   */
  authorizedAs?: CaptureKeyKind | 'unknown' | undefined;
  /** The client a per-IP limit counts (an IPv4 address, or an IPv6 /64). */
  client: string;
  /** When the proxy received the request (ms since the epoch): the clock events are corrected by. */
  receivedAt: number;
  /** The body as received (still gzip, lz64, …); empty for a GET. */
  body: Uint8Array;
}

/** A spooled copy handed to a consumer, with how many times it was handed out (1 the first time). */
export interface SpoolEntry {
  id: string;
  copy: SpooledCopy;
  deliveries: number;
}

/** What the spool holds right now. */
export interface SpoolBacklog {
  /** Copies no consumer has taken yet. */
  waiting: number;
  /** Copies taken and not yet done (being recorded, or held by a consumer that died). */
  inFlight: number;
}

/**
 * A durable queue of the copies the passthrough forwards, between the proxy (which only adds) and
 * the consumers that record them (at least once: a copy is done only after it was recorded, and one
 * a dead consumer held is taken over).
 */
export interface CaptureSpool {
  add(copy: SpooledCopy): Promise<void>;
  /** Up to `count` copies no consumer has taken, waiting up to `blockMs` for one. */
  take(consumer: string, count: number, blockMs: number): Promise<SpoolEntry[]>;
  /** Up to `count` copies taken by any consumer and not done for `idleMs`, now this consumer's. */
  reclaim(consumer: string, idleMs: number, count: number): Promise<SpoolEntry[]>;
  /** The copies are recorded (or given up): they leave the spool. */
  done(ids: readonly string[]): Promise<void>;
  backlog(): Promise<SpoolBacklog>;
}
