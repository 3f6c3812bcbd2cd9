import type { Action, CapturedEvent } from '../actions/action.js';

/** A capture request as it arrived: raw bytes and the hints that say how they are encoded. */
export interface RawCaptureRequest {
  /** The body as received, undecoded (gzip, lz64, base64, a form or JSON). */
  body: Uint8Array | undefined;
  contentType?: string | undefined;
  contentEncoding?: string | undefined;
  /** Query string values, e.g. `compression`, `data`, `ver`, `_`. */
  query: Readonly<Record<string, string | undefined>>;
}

/** Which of the project's capture keys a request carries. */
export type CaptureKeyKind = 'public' | 'server';

/** A request's events, or why its body could not be read. */
export type ReadCapture =
  | {
      ok: true;
      /** `public` (CAPTURE_API_KEY), `server` (CAPTURE_SERVER_KEY), or null: neither. */
      key: CaptureKeyKind | null;
      /**
       * The key the request carried when it is neither of those, for a lookup among the installed
       * workspaces' capture keys (`WorkspaceCaptureKeys`).
       */
      presentedKey?: string;
      events: CapturedEvent[];
      /** Events left out of the request (not an object, no distinct id, …). */
      skipped: number;
      /**
       * Present when the reader described the events too (`describeEvent`, where it read them off
       * the event loop): the first events' actions, in order, as many as the CPU budget allowed.
       */
      described?: (Action | null)[];
    }
  | { ok: false; code: 'malformed' | 'too_large'; message: string };

/**
 * Decodes and extracts a capture request's events (PostHog's wire formats, bounded sizes, identity
 * proofs checked and dropped). The adapter may do it off the event loop for large bodies, and then
 * describe them there as well (`described`), within `CAPTURE_CPU_BUDGET_MS`.
 */
export interface CaptureReader {
  read(request: RawCaptureRequest, receivedAt: Date): Promise<ReadCapture>;
}
