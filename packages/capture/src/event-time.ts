import { parseEventDate } from './parse-event-date.js';

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
 * A result more than {@link maxFutureDriftMs} after `now` becomes `now`.
 */
export function computeEventTime(input: EventTimeInput, now: Date): Date {
  const result = offsetTime(input.offset, now) ?? clientTime(input, now) ?? now;
  return result.getTime() - now.getTime() > maxFutureDriftMs ? now : result;
}

function offsetTime(offset: unknown, now: Date): Date | undefined {
  if (typeof offset !== 'number' || !Number.isFinite(offset)) return undefined;
  return parseEventDate(now.getTime() - offset);
}

function clientTime(input: EventTimeInput, now: Date): Date | undefined {
  const timestamp = parseEventDate(input.timestamp);
  if (timestamp === undefined) return undefined;
  const sentAt = input.ignoreSentAt === true ? undefined : parseEventDate(input.sentAt);
  if (sentAt === undefined) return timestamp;
  return parseEventDate(now.getTime() + (timestamp.getTime() - sentAt.getTime())) ?? timestamp;
}
