import type { CapturedEvent, IdentityProof } from '@threadline/core';
import type { CaptureLimits } from './capture-limits.js';
import { extractDistinctId } from './distinct-id.js';
import { computeEventTime } from './event-time.js';
import { isJsonObject, type JsonObject, truncateString } from './json-value.js';
import { sanitizeProperties } from './sanitize-properties.js';

/** PostHog cuts event names to this many characters. */
export const maxEventNameChars = 200;

const maxUuidChars = 128;

/** One raw event turned into a {@link CapturedEvent}, or the reason it was skipped. */
export type CapturedEventResult = { ok: true; event: CapturedEvent } | { ok: false; reason: string };

/** What one event's conversion needs besides the event. */
export interface EventContext {
  now: Date;
  sentAt?: unknown;
  /** Set when identity checking is on: whether a proof names the distinct id. */
  verifyIdentity?: (distinctId: string, proof: IdentityProof) => boolean;
}

/**
 * The proof properties (`$user_hash`, `$user_jwt`, as `posthog.register` adds them to every event).
 * They are read here and nowhere else: `sanitizeProperties` drops every `$` key it does not keep, so
 * a proof is never stored, logged or described.
 */
function identityProofOf(properties: JsonObject): IdentityProof | undefined {
  const userHash = typeof properties.$user_hash === 'string' ? properties.$user_hash : undefined;
  const userJwt = typeof properties.$user_jwt === 'string' ? properties.$user_jwt : undefined;
  return userHash === undefined && userJwt === undefined ? undefined : { userHash, userJwt };
}

/**
 * Validates and normalizes one event of a capture request. `sentAt` is the request's send time
 * (body `sent_at`, else the `_` query value) used to correct the client's clock.
 */
export function toCapturedEvent(
  raw: unknown,
  context: EventContext,
  limits: CaptureLimits,
): CapturedEventResult {
  if (!isJsonObject(raw)) return { ok: false, reason: 'event is not a JSON object' };
  if (typeof raw.event !== 'string' || raw.event.trim() === '') {
    return {
      ok: false,
      reason: raw.event === undefined ? 'event name is missing' : 'event name is not a non-empty string',
    };
  }
  const distinctId = extractDistinctId(raw);
  if (!distinctId.ok) return distinctId;

  const properties = withPersonUpdates(raw, isJsonObject(raw.properties) ? raw.properties : {});
  const timestamp = computeEventTime(
    {
      timestamp: raw.timestamp,
      offset: raw.offset,
      sentAt: context.sentAt,
      ignoreSentAt: properties.$ignore_sent_at === true,
    },
    context.now,
  );
  const event: CapturedEvent = {
    event: truncateString(raw.event, maxEventNameChars),
    distinctId: distinctId.distinctId,
    timestamp,
    properties: sanitizeProperties(properties, limits),
  };
  if (typeof raw.uuid === 'string' && raw.uuid.trim() !== '')
    event.uuid = truncateString(raw.uuid.trim(), maxUuidChars);
  if (context.verifyIdentity) {
    const proof = identityProofOf(properties);
    // Against the id as stored (cut to 200 characters): a longer id never verifies, so no one can
    // prove a prefix of their own id that is someone else's.
    if (proof && context.verifyIdentity(event.distinctId, proof)) event.verified = true;
  }
  return { ok: true, event };
}

/**
 * Top-level `$set`/`$set_once` (posthog-node `identify`, older SDKs) are merged into the
 * properties as PostHog's ingestion does, the top-level values winning; a top-level
 * `$anon_distinct_id` is kept too, since the caller merges anonymous actions with it. The
 * properties are copied only when there is something to merge (posthog-js never sends these).
 */
function withPersonUpdates(raw: JsonObject, properties: JsonObject): JsonObject {
  const set = raw.$set;
  const setOnce = raw.$set_once;
  const anonymousId = raw.$anon_distinct_id;
  const mergesSet = isJsonObject(set);
  const mergesSetOnce = isJsonObject(setOnce);
  const addsAnonymousId = typeof anonymousId === 'string' && properties.$anon_distinct_id === undefined;
  if (!mergesSet && !mergesSetOnce && !addsAnonymousId) return properties;
  const merged: JsonObject = { ...properties };
  if (mergesSet) merged.$set = mergeBag(merged.$set, set);
  if (mergesSetOnce) merged.$set_once = mergeBag(merged.$set_once, setOnce);
  if (addsAnonymousId) merged.$anon_distinct_id = anonymousId;
  return merged;
}

function mergeBag(existing: unknown, topLevel: JsonObject): JsonObject {
  return { ...(isJsonObject(existing) ? existing : {}), ...topLevel };
}
