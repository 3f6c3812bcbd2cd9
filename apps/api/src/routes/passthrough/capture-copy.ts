import type { IncomingHttpHeaders } from 'node:http';
import type { CopySource } from '@threadline/core';

/** One capture request as the client sent it, for Threadline's own copy of a forwarded request. */
export interface CaptureCopy {
  /** Whose decoder reads it (the upstream definition's source). */
  source: CopySource;
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
  /** When the request arrived (ms since the epoch). */
  receivedAt: number;
}

/**
 * What handing a copy over came to: `spooled` (a worker records it: decoding, keys, limits, dedupe
 * are capture's), or refused (`spool_full`: past CAPTURE_SPOOL_MAX_*), or failed (Redis).
 */
export type CaptureCopyOutcome =
  | { outcome: 'spooled' }
  | { outcome: 'refused'; code: string }
  | { outcome: 'failed'; error: unknown };

/**
 * The seam between the passthrough proxy and capture: hands over Threadline's copy of a request the
 * proxy forwards. Its answer never reaches the client (the upstream's does), so a refusal here (the
 * spool full) or later (a key that is not Threadline's, a limit) only means Threadline keeps nothing
 * of that request.
 */
export type RecordCaptureCopy = (copy: CaptureCopy) => Promise<CaptureCopyOutcome>;
