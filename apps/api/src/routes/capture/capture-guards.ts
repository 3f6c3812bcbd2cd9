import { isIPv6 } from 'node:net';
import { setImmediate } from 'node:timers/promises';
import type { CaptureQuotaDecision } from '@threadline/core';
import type { Metrics } from '@threadline/observability';
import type { FastifyReply } from 'fastify';

/**
 * The client a per-IP limit counts: an IPv4 address, or the /64 of an IPv6 one (one subscriber
 * usually holds a whole /64, so counting single addresses would give one client 2^64 quotas).
 */
export function captureClientOf(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped) return mapped[1] as string;
  if (!isIPv6(ip)) return ip;
  const [head = '', tail = ''] = ip.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::')
    ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/** 503 with Retry-After: Redis is unreachable or too full; the client retries and nothing is lost. */
export function refuseUnavailable(
  reply: FastifyReply,
  reason: 'redis_unavailable' | 'redis_memory_high',
  metrics: Pick<Metrics, 'eventsRefused'>,
) {
  metrics.eventsRefused.inc({ reason });
  const message =
    reason === 'redis_unavailable'
      ? 'storage is unreachable; retry shortly'
      : 'storage is nearly full; capture is paused until it has room again';
  return reply
    .code(503)
    .header('retry-after', reason === 'redis_unavailable' ? '1' : '30')
    .send({ error: reason, message });
}

const quotaMessages = {
  ip_events: 'this client sent more events this minute than CAPTURE_IP_EVENTS_PER_MINUTE allows',
  ip_new_users: 'this client created more distinct ids this hour than CAPTURE_IP_NEW_USERS_PER_HOUR allows',
} as const;

/** 429 with Retry-After (whole seconds, rounded up) for a client over one of its limits. */
export function refuseOverQuota(
  reply: FastifyReply,
  decision: Exclude<CaptureQuotaDecision, { isAllowed: true }>,
  metrics: Pick<Metrics, 'eventsRefused'>,
) {
  metrics.eventsRefused.inc({ reason: decision.reason });
  return reply
    .code(429)
    .header('retry-after', String(Math.ceil(decision.retryAfterMs / 1000)))
    .send({ error: decision.reason, message: quotaMessages[decision.reason] });
}

export interface Described<E, A> {
  /** The description of each event described, null for events that make no action. */
  actions: Map<E, A | null>;
  /** How many events, from the first, were described; the rest were over the budget. */
  count: number;
}

/**
 * Describes a request's events in slices of at most `sliceMs`, giving the event loop back between
 * slices so other requests are served meanwhile, and stops once the request has spent `budgetMs`
 * describing: one hostile request can neither hold the loop nor take unbounded CPU. Waits between
 * slices do not count.
 */
export async function describeWithinBudget<E, A>(
  events: readonly E[],
  describe: (event: E) => A | null,
  limits: { budgetMs: number; sliceMs: number },
  now: () => number = () => performance.now(),
): Promise<Described<E, A>> {
  const actions = new Map<E, A | null>();
  let spent = 0;
  let count = 0;
  while (count < events.length && spent <= limits.budgetMs) {
    if (count > 0) await setImmediate();
    const sliceStarted = now();
    let elapsed = 0;
    while (count < events.length && elapsed <= limits.sliceMs && spent + elapsed <= limits.budgetMs) {
      const event = events[count] as E;
      actions.set(event, describe(event));
      count += 1;
      elapsed = now() - sliceStarted;
    }
    spent += elapsed;
  }
  return { actions, count };
}
