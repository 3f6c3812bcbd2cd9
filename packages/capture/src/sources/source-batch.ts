import type { CapturedEvent } from '@threadline/core';
import type { CaptureLimits } from '../capture-limits.js';
import type { ExtractContext } from '../extract-events.js';
import { identityVerifier } from '../extract-events.js';
import type { JsonObject } from '../json-value.js';
import { type EventContext, toCapturedEvent } from '../to-captured-event.js';

/** The events of one Segment or Amplitude request, in Threadline's captured-event model. */
export interface SourceBatch {
  ok: true;
  /** The key the body carries (`writeKey` / `api_key`), not yet checked; the route adds Basic auth. */
  apiKey: string | undefined;
  events: CapturedEvent[];
  skipped: { index: number; reason: string }[];
  /** How many events the request held. */
  received: number;
}

/**
 * A source event rewritten in PostHog's shape (`event`, `distinct_id`, `timestamp`, `uuid`,
 * `properties` with `$current_url`, `$anon_distinct_id`, `$user_hash`…), with the send time its
 * clock is corrected by. Every source goes through `toCapturedEvent` from there, so the limits,
 * id rules, property bounds and identity proofs are PostHog capture's own.
 */
export interface PosthogShaped {
  raw: JsonObject;
  sentAt?: unknown;
}

/** Converts source events one by one; `translate` answers a reason for an event it leaves out. */
export function toSourceBatch<T>(
  items: readonly T[],
  translate: (item: T) => PosthogShaped[] | string,
  apiKey: string | undefined,
  context: ExtractContext,
  limits: CaptureLimits,
): SourceBatch {
  const verifyIdentity = context.identitySecret
    ? identityVerifier(context.identitySecret, context.now)
    : undefined;
  const events: CapturedEvent[] = [];
  const skipped: { index: number; reason: string }[] = [];
  items.forEach((item, index) => {
    const translated = translate(item);
    if (typeof translated === 'string') {
      skipped.push({ index, reason: translated });
      return;
    }
    for (const { raw, sentAt } of translated) {
      const eventContext: EventContext = {
        now: context.now,
        ...(sentAt !== undefined ? { sentAt } : {}),
        ...(verifyIdentity ? { verifyIdentity } : {}),
      };
      const result = toCapturedEvent(raw, eventContext, limits);
      if (result.ok) events.push(result.event);
      else skipped.push({ index, reason: result.reason });
    }
  });
  return { ok: true, apiKey, events, skipped, received: items.length };
}

/**
 * A source's own properties without `$` keys: those are PostHog's (`$anon_distinct_id`,
 * `$is_identified`, `$set`…), which only the translation may set, never a product's property bag.
 */
export function withoutDollarKeys(properties: JsonObject): JsonObject {
  let copy: JsonObject | undefined;
  for (const key in properties) {
    if (key.charCodeAt(0) !== 0x24) continue;
    copy ??= { ...properties };
    delete copy[key];
  }
  return copy ?? properties;
}
