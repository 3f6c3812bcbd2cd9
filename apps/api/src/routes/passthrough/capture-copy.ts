import type { IncomingHttpHeaders } from 'node:http';

/** One capture request as the client sent it, for Threadline's own copy of a forwarded request. */
export interface CaptureCopy {
  method: string;
  /** The path, without the query (`/e/`, `/batch`, `/segment/v1/t`, …). */
  path: string;
  /** The query string with its `?`, or empty. */
  query: string;
  headers: IncomingHttpHeaders;
  /** The body exactly as received (still gzip, lz64, …); empty for a GET. */
  rawBody: Buffer;
  /** The client IP, as TRUST_PROXY makes it. */
  ip: string;
}

/** What recording a copy came to: `stored` (some or all events kept, duplicates skipped) or refused. */
export type CaptureCopyOutcome =
  | { outcome: 'stored' }
  | { outcome: 'refused'; status: number; code: string }
  | { outcome: 'failed'; error: unknown };

/**
 * The seam between the passthrough proxy and capture: records Threadline's copy of a request the proxy
 * forwards. Its answer never reaches the client (the upstream's does), so a refusal here (a key that
 * is not Threadline's, a limit) only means Threadline keeps nothing of that request.
 */
export type RecordCaptureCopy = (copy: CaptureCopy) => Promise<CaptureCopyOutcome>;
