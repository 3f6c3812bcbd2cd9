import { type CapturedEvent, type IdentityProof, isVerifiedIdentity } from '@threadline/core';
import { type CaptureFailure, malformed, tooLarge } from './capture-failure.js';
import { type CaptureLimits, defaultCaptureLimits } from './capture-limits.js';
import { isJsonObject, type JsonObject } from './json-value.js';
import { parseEventDate } from './parse-event-date.js';
import { resolveApiKey } from './resolve-api-key.js';
import { toCapturedEvent } from './to-captured-event.js';

/** The events of one capture request, with the project key it carries. */
export interface ExtractedBatch {
  ok: true;
  /** The key the request carries (not yet checked against the configured one), or none. */
  apiKey: string | undefined;
  events: CapturedEvent[];
  /** Events left out, by their position in the request, with why. */
  skipped: { index: number; reason: string }[];
}

/** What the route knows about a request besides its body. */
export interface ExtractContext {
  /** When the request arrived (server clock). */
  now: Date;
  /**
   * When the client sent it by its own clock, from outside the body: posthog-js's `_` query
   * value, see `sentAtFromQuery`. A `sent_at` in the body wins.
   */
  sentAt?: Date;
  /**
   * `INTERCOM_IDENTITY_SECRET`, passed only when identity checking is on: events whose
   * `$user_hash` / `$user_jwt` names their distinct id come out `verified`.
   */
  identitySecret?: string;
}

/**
 * Checks proofs with the secret. posthog-js sends the same `$user_hash` with every event of a batch,
 * so the last answer is kept and reused while the id and the proof stay the same.
 */
export function identityVerifier(
  secret: string,
  now: Date,
): (distinctId: string, proof: IdentityProof) => boolean {
  let last:
    | { distinctId: string; userHash: string | undefined; userJwt: string | undefined; verified: boolean }
    | undefined;
  return (distinctId, proof) => {
    if (
      last?.distinctId === distinctId &&
      last.userHash === proof.userHash &&
      last.userJwt === proof.userJwt
    ) {
      return last.verified;
    }
    const verified = isVerifiedIdentity(distinctId, proof, secret, now);
    last = { distinctId, userHash: proof.userHash, userJwt: proof.userJwt, verified };
    return verified;
  };
}

/**
 * Takes the events out of a decoded capture payload: a single event, an array of events
 * (posthog-js `/e/`), or `{api_key|token, batch, sent_at}` (posthog-node and `/batch/`).
 *
 * Events without a usable name or distinct id are skipped with a reason; the request fails as
 * `malformed` only when none is usable, and as `too_large` above `maxEventsPerBatch`.
 */
export function extractEvents(
  payload: unknown,
  context: ExtractContext,
  limits: CaptureLimits = defaultCaptureLimits,
): ExtractedBatch | CaptureFailure {
  let batch: JsonObject | undefined;
  let rawEvents: unknown[];
  if (Array.isArray(payload)) {
    rawEvents = payload;
  } else if (isJsonObject(payload)) {
    if ('batch' in payload) {
      if (!Array.isArray(payload.batch)) return malformed('batch must be an array of events');
      batch = payload;
      rawEvents = payload.batch;
    } else {
      rawEvents = [payload];
    }
  } else {
    return malformed('body must be an event, an array of events, or an object with a batch array');
  }

  if (rawEvents.length === 0) return malformed('request contains no events');
  if (rawEvents.length > limits.maxEventsPerBatch) {
    return tooLarge(
      `request has ${rawEvents.length} events; the limit is ${limits.maxEventsPerBatch} per request`,
    );
  }

  const apiKey = resolveApiKey(batch, rawEvents);
  if (!apiKey.ok) return malformed(apiKey.message);

  const sentAt = (isJsonObject(payload) ? parseEventDate(payload.sent_at) : undefined) ?? context.sentAt;
  const events: CapturedEvent[] = [];
  const skipped: { index: number; reason: string }[] = [];
  const eventContext = {
    now: context.now,
    sentAt,
    ...(context.identitySecret
      ? { verifyIdentity: identityVerifier(context.identitySecret, context.now) }
      : {}),
  };
  for (let index = 0; index < rawEvents.length; index += 1) {
    const result = toCapturedEvent(rawEvents[index], eventContext, limits);
    if (result.ok) events.push(result.event);
    else skipped.push({ index, reason: result.reason });
  }

  if (events.length === 0) {
    const first = skipped[0];
    const detail = first === undefined ? '' : `: event ${first.index}: ${first.reason}`;
    return malformed(
      rawEvents.length === 1
        ? `event is not usable${detail}`
        : `none of the ${rawEvents.length} events is usable${detail}`,
    );
  }
  return { ok: true, apiKey: apiKey.apiKey, events, skipped };
}
