import type { CapturedEvent } from '@threadline/core';
import { type CaptureFailure, malformed } from './capture-failure.js';
import { type CaptureLimits, defaultCaptureLimits } from './capture-limits.js';
import { identityVerifier } from './extract-events.js';
import { isJsonObject, type JsonObject } from './json-value.js';
import { toCapturedEvent } from './to-captured-event.js';

/**
 * Reads the event a PostHog Cloud "HTTP Webhook" destination forwards. Its default JSON body is
 * `{event: '{event}', person: '{person}'}`, which PostHog fills with
 * `{event: {uuid, event, distinct_id, properties, elements_chain, timestamp, url}, person: {id, properties, …}}`.
 * A customized body that is itself the event (`{event: '$pageview', distinct_id, properties, …}`)
 * is read as well.
 *
 * The timestamp was already computed by PostHog, so it is taken as is (no clock correction);
 * `elements_chain` is copied to `properties.$elements_chain` when that is missing, since
 * autocapture descriptions read it from there.
 */
export function extractWebhookEvent(
  body: unknown,
  context: { now: Date; identitySecret?: string },
  limits: CaptureLimits = defaultCaptureLimits,
): { ok: true; event: CapturedEvent } | CaptureFailure {
  if (!isJsonObject(body)) return malformed('webhook body must be a JSON object');
  const source = isJsonObject(body.event) ? body.event : typeof body.event === 'string' ? body : undefined;
  if (source === undefined) return malformed('webhook body has no event object');

  const properties: JsonObject = isJsonObject(source.properties) ? { ...source.properties } : {};
  if (
    typeof source.elements_chain === 'string' &&
    source.elements_chain !== '' &&
    (typeof properties.$elements_chain !== 'string' || properties.$elements_chain === '')
  ) {
    properties.$elements_chain = source.elements_chain;
  }

  // offset and sent_at do not apply to an already-ingested event; only its timestamp counts.
  const raw = {
    event: source.event,
    distinct_id: source.distinct_id,
    properties,
    timestamp: source.timestamp,
    uuid: source.uuid,
  };
  // PostHog forwards what the browser sent, proof included: the secret header proves only PostHog.
  const result = toCapturedEvent(
    raw,
    {
      now: context.now,
      ...(context.identitySecret
        ? { verifyIdentity: identityVerifier(context.identitySecret, context.now) }
        : {}),
    },
    limits,
  );
  return result.ok ? result : malformed(`webhook event is not usable: ${result.reason}`);
}
