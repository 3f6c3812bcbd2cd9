import type { RawCaptureRequest, ReadCapture } from '@threadline/core';
import { type CaptureKeys, captureKeyKind, presentedKeyOf } from './capture-key.js';
import { type CaptureLimits, defaultCaptureLimits } from './capture-limits.js';
import { decodeCaptureBody } from './decode-capture-body.js';
import { extractEvents } from './extract-events.js';
import { sentAtFromQuery } from './sent-at-from-query.js';

/** What reading a capture request needs besides the request: the keys, the identity secret, the limits. */
export interface CaptureReaderSettings {
  keys: CaptureKeys;
  /** Passed only when identity checking is on (proofs are checked only when something uses the answer). */
  identitySecret?: string | undefined;
  limits?: CaptureLimits;
}

function asBuffer(body: Uint8Array | undefined): Buffer | undefined {
  if (body === undefined || Buffer.isBuffer(body)) return body;
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

/**
 * Decodes a raw capture request, takes its events out and says which key it carries. Synchronous,
 * and the parsed body (every property of every event, most of them dropped by extraction) is
 * garbage as soon as this returns.
 */
export function readCaptureRequest(
  request: RawCaptureRequest,
  receivedAt: Date,
  settings: CaptureReaderSettings,
): ReadCapture {
  const limits = settings.limits ?? defaultCaptureLimits;
  const query = { ...request.query };
  const decoded = decodeCaptureBody(
    {
      body: asBuffer(request.body),
      ...(request.contentType ? { contentType: request.contentType } : {}),
      ...(request.contentEncoding ? { contentEncoding: request.contentEncoding } : {}),
      query,
    },
    limits,
  );
  if (!decoded.ok) return decoded;
  // posthog-js sends its clock in `?_=`; PostHog uses it as sent_at for clock-skew correction.
  const sentAt = sentAtFromQuery(query);
  const extracted = extractEvents(
    decoded.payload,
    {
      now: receivedAt,
      ...(sentAt ? { sentAt } : {}),
      ...(settings.identitySecret ? { identitySecret: settings.identitySecret } : {}),
    },
    limits,
  );
  if (!extracted.ok) return extracted;
  const key = captureKeyKind(extracted.apiKey, settings.keys);
  return {
    ok: true,
    key,
    ...presentedKeyOf(key, extracted.apiKey),
    events: extracted.events,
    skipped: extracted.skipped.length,
  };
}
