import {
  type CapturedBatch,
  type CaptureEventsDependencies,
  type CaptureOutcome,
  captureEvents,
  chargeRefusedRequest,
  RecentRefusals,
  type SpooledCopy,
  storeCapturedBatch,
} from '@threadline/core';
import { type CaptureKeys, captureKeyKind } from '../capture-key.js';
import { type CaptureLimits, defaultCaptureLimits } from '../capture-limits.js';
import { decodeCaptureBody } from '../decode-capture-body.js';
import type { ExtractContext } from '../extract-events.js';
import { amplitudeMaxBodyBytes, extractAmplitudeEvents } from '../sources/amplitude-events.js';
import {
  extractSegmentEvents,
  segmentCallOf,
  segmentMaxBatchBytes,
  segmentMaxEventBytes,
} from '../sources/segment-events.js';

/** What recording one spooled copy came to. */
export type CopyRecord =
  /** The capture use case ran: accepted (stored, or known already), or refused with its reason. */
  | { kind: 'captured'; outcome: CaptureOutcome }
  /** The source's decoder could not read the body (charged to the client's minute, as a direct request). */
  | { kind: 'unreadable'; code: string }
  /** A path that carries no events (analytics.js's telemetry): nothing to record. */
  | { kind: 'ignored' };

export interface CopyRecorderOptions {
  /** The capture use case's ports (a refusal memory of the recorder's own is added). */
  dependencies: Omit<CaptureEventsDependencies, 'refusals'>;
  keys: CaptureKeys;
  /** The secret of `$user_hash` / `$user_jwt` when CAPTURE_IDENTITY checks them. */
  identitySecret?: string | undefined;
}

const segmentBatchLimits: CaptureLimits = {
  ...defaultCaptureLimits,
  maxBodyBytes: segmentMaxBatchBytes,
  maxDecodedBytes: segmentMaxBatchBytes,
};
const segmentCallLimits: CaptureLimits = { ...segmentBatchLimits, maxDecodedBytes: segmentMaxEventBytes };
const amplitudeLimits: CaptureLimits = {
  ...defaultCaptureLimits,
  maxBodyBytes: amplitudeMaxBodyBytes,
  maxDecodedBytes: amplitudeMaxBodyBytes,
};

/** A source body decoded as its route decodes it, with a bound on its decoded size. */
function decodeSourceCopy(copy: SpooledCopy, limits: CaptureLimits) {
  const body = Buffer.from(copy.body.buffer, copy.body.byteOffset, copy.body.byteLength);
  const isPlainJson = body[0] === 0x7b || body[0] === 0x5b;
  const decodedBytes = isPlainJson ? body.length : limits.maxDecodedBytes;
  const decoded = decodeCaptureBody(
    { body, contentType: copy.contentType, contentEncoding: copy.contentEncoding, query: {} },
    limits,
  );
  return decoded.ok ? { ...decoded, decodedBytes } : decoded;
}

/**
 * Records spooled copies through the capture use case, as the routes without an upstream would:
 * PostHog bodies through `captureEvents` (the reader, limits, identity rules, uuid dedupe), Segment and
 * Amplitude bodies through their decoders and `storeCapturedBatch` (messageId / insert_id dedupe).
 * Events are read against the time the proxy received the request, not the time they are recorded.
 */
export function createCopyRecorder(options: CopyRecorderOptions): (copy: SpooledCopy) => Promise<CopyRecord> {
  const dependencies: CaptureEventsDependencies = { ...options.dependencies, refusals: new RecentRefusals() };
  const keyOf = (received: string | undefined) => captureKeyKind(received, options.keys);
  const extractContext = (copy: SpooledCopy): ExtractContext => ({
    now: new Date(copy.receivedAt),
    ...(options.identitySecret ? { identitySecret: options.identitySecret } : {}),
  });
  const store = async (batch: CapturedBatch, copy: SpooledCopy): Promise<CopyRecord> => ({
    kind: 'captured',
    outcome: await storeCapturedBatch(batch, copy.client, dependencies),
  });
  const unreadable = async (code: string, copy: SpooledCopy): Promise<CopyRecord> => {
    await chargeRefusedRequest(copy.client, dependencies);
    return { kind: 'unreadable', code };
  };

  const recordSegment = async (copy: SpooledCopy): Promise<CopyRecord> => {
    const call = segmentCallOf(copy.path.replace(/^\/segment\/v1\//, '').replace(/\/$/, ''));
    if (call === undefined) return { kind: 'ignored' };
    const isBatch = call === 'batch';
    const decoded = decodeSourceCopy(copy, isBatch ? segmentBatchLimits : segmentCallLimits);
    if (!decoded.ok) return unreadable(decoded.code, copy);
    const batch = extractSegmentEvents(
      decoded.payload,
      {
        ...extractContext(copy),
        bodyBytes: decoded.decodedBytes,
        ...(isBatch ? {} : { pathType: call }),
      },
      segmentBatchLimits,
    );
    if (!batch.ok) return unreadable(batch.code, copy);
    // Basic auth, checked by the proxy, comes before a writeKey in the body (as the route reads it).
    const key =
      copy.authorizedAs === undefined
        ? keyOf(batch.apiKey)
        : copy.authorizedAs === 'unknown'
          ? null
          : copy.authorizedAs;
    return store({ key, events: batch.events, skipped: batch.skipped.length }, copy);
  };

  const recordAmplitude = async (copy: SpooledCopy): Promise<CopyRecord> => {
    const decoded = decodeSourceCopy(copy, amplitudeLimits);
    if (!decoded.ok) return unreadable(decoded.code, copy);
    const batch = extractAmplitudeEvents(decoded.payload, extractContext(copy), amplitudeLimits);
    if (!batch.ok) return unreadable(batch.code, copy);
    return store({ key: keyOf(batch.apiKey), events: batch.events, skipped: batch.skipped.length }, copy);
  };

  const recordPosthog = async (copy: SpooledCopy): Promise<CopyRecord> => {
    const receivedAt = new Date(copy.receivedAt);
    const outcome = await captureEvents(
      {
        body: copy.method === 'GET' ? undefined : copy.body,
        contentType: copy.contentType,
        contentEncoding: copy.contentEncoding,
        query: Object.fromEntries(new URLSearchParams(copy.query)),
        client: copy.client,
      },
      { ...dependencies, now: () => receivedAt },
    );
    return { kind: 'captured', outcome };
  };

  return (copy) => {
    switch (copy.source) {
      case 'posthog':
        return recordPosthog(copy);
      case 'segment':
        return recordSegment(copy);
      case 'amplitude':
        return recordAmplitude(copy);
    }
  };
}
