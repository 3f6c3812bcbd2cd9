import { clipTime, parseEventTime } from './parse-event-date.js';

/** PostHog resets event times more than this far in the future to the time received. */
export const maxFutureDriftMs = 23 * 60 * 60 * 1000;

/** What a client said about when an event happened. */
export interface EventTimeInput {
  /** The event's `timestamp` (client clock). */
  timestamp?: unknown;
  /** The event's `offset`: milliseconds between the event and the send (posthog-js batches). */
  offset?: unknown;
  /** When the client sent the request, by its own clock: the body's `sent_at` or the `_` query value. */
  sentAt?: unknown;
  /** The event's `$ignore_sent_at` property: the client asks not to correct its clock. */
  ignoreSentAt?: boolean;
}

/**
 * Event time as PostHog's capture computes it (rust `common/types` `parse_event_timestamp`):
 *
 * 1. `offset` present: `now − offset`;
 * 2. `timestamp` and `sent_at`: `now + (timestamp − sent_at)`, which cancels the client's clock skew;
 * 3. `timestamp` alone: as given;
 * 4. otherwise `now`.
 *
 * A value that does not parse, or lands outside years 0–9999, falls through to the next rule.
 * A result more than {@link maxFutureDriftMs} after `now` becomes `now`. Works in milliseconds and
 * allocates one `Date`, the result.
 */
export function computeEventTime(input: EventTimeInput, now: Date): Date {
  const nowMs = now.getTime();
  let result = offsetTime(input.offset, nowMs);
  if (Number.isNaN(result)) result = clientTime(input, nowMs);
  if (Number.isNaN(result) || result - nowMs > maxFutureDriftMs) return now;
  return new Date(result);
}

function offsetTime(offset: unknown, nowMs: number): number {
  if (typeof offset !== 'number' || !Number.isFinite(offset)) return Number.NaN;
  return clipTime(nowMs - offset);
}

function clientTime(input: EventTimeInput, nowMs: number): number {
  const timestamp = parseEventTime(input.timestamp);
  if (Number.isNaN(timestamp)) return Number.NaN;
  const sentAt = input.ignoreSentAt === true ? Number.NaN : parseEventTime(input.sentAt);
  if (Number.isNaN(sentAt)) return timestamp;
  const corrected = clipTime(nowMs + (timestamp - sentAt));
  return Number.isNaN(corrected) ? timestamp : corrected;
}
