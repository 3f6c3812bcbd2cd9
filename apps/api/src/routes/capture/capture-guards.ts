import { isIPv6 } from 'node:net';
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
  const groups = ip.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((group) => group.replace(/^0+(?=.)/, '')).join(':')}::/64`;
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

/**
 * A describe function that stops describing once the request has spent its CPU budget inside
 * describe calls (decoding is bounded by the size limits, and waits on Redis do not count): the
 * events past it are left out (the caller answers 429 and the client retries; what was stored is
 * deduplicated by event id), so one hostile request cannot hold the event loop.
 */
export function withinBudget<E, A>(
  describe: (event: E) => A | null,
  budgetMs: number,
  now: () => number = () => performance.now(),
) {
  let spent = 0;
  let cut = 0;
  return {
    describe(event: E): A | null {
      if (cut > 0 || spent > budgetMs) {
        cut += 1;
        return null;
      }
      const started = now();
      const action = describe(event);
      spent += now() - started;
      return action;
    },
    get cut() {
      return cut;
    },
  };
}
