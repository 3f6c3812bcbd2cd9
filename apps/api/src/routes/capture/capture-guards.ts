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
  const groups = ip.includes('::')
    ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/**
 * The refusals this process answered, per client, until they end: a client over its limit is answered
 * again from memory, without a Redis read, for as long as Redis said it must wait. Bounded: past
 * `maxClients` the oldest entry goes (that client is then asked about in Redis again).
 */
export class RecentRefusals {
  private readonly until = new Map<
    string,
    { decision: Exclude<CaptureQuotaDecision, { isAllowed: true }>; endsAt: number }
  >();

  constructor(
    private readonly maxClients = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  remember(client: string, decision: Exclude<CaptureQuotaDecision, { isAllowed: true }>): void {
    this.until.delete(client);
    this.until.set(client, { decision, endsAt: this.now() + decision.retryAfterMs });
    if (this.until.size > this.maxClients) this.until.delete(this.until.keys().next().value as string);
  }

  /** The refusal still running for this client, with the time left, or null. */
  standing(client: string): Exclude<CaptureQuotaDecision, { isAllowed: true }> | null {
    const entry = this.until.get(client);
    if (!entry) return null;
    const left = entry.endsAt - this.now();
    if (left <= 0) {
      this.until.delete(client);
      return null;
    }
    return { ...entry.decision, retryAfterMs: left };
  }
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

interface DescribeJob {
  events: readonly unknown[];
  describe(event: unknown): unknown;
  actions: Map<unknown, unknown>;
  spentMs: number;
  budgetMs: number;
  finish(): void;
}

/**
 * Describes the events of every capture request in flight, round robin, in slices of at most
 * `sliceMs` of CPU per turn of the event loop, whatever the number of requests: other requests
 * (webhooks, small captures, health checks) wait at most one slice. Each request stops once it has
 * spent its own budget describing (waits between slices do not count): one hostile request can
 * neither hold the loop nor take unbounded CPU.
 */
export class SlicedDescriber {
  private readonly jobs: DescribeJob[] = [];
  private next = 0;
  private isScheduled = false;

  constructor(
    private readonly sliceMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  describe<E, A>(
    events: readonly E[],
    describe: (event: E) => A | null,
    budgetMs: number,
  ): Promise<Described<E, A>> {
    if (events.length === 0) return Promise.resolve({ actions: new Map(), count: 0 });
    return new Promise((resolve) => {
      const actions = new Map<E, A | null>();
      this.jobs.push({
        events,
        describe: describe as (event: unknown) => unknown,
        actions: actions as Map<unknown, unknown>,
        spentMs: 0,
        budgetMs,
        finish: () => resolve({ actions, count: actions.size }),
      });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.isScheduled) return;
    this.isScheduled = true;
    setImmediate(() => {
      this.isScheduled = false;
      this.runSlice();
    });
  }

  private runSlice(): void {
    const sliceStarted = this.now();
    let before = sliceStarted;
    while (this.jobs.length > 0 && before - sliceStarted <= this.sliceMs) {
      this.next %= this.jobs.length;
      const job = this.jobs[this.next] as DescribeJob;
      const event = job.events[job.actions.size];
      job.actions.set(event, job.describe(event));
      const after = this.now();
      job.spentMs += after - before;
      before = after;
      if (job.actions.size === job.events.length || job.spentMs > job.budgetMs) {
        this.jobs.splice(this.next, 1);
        job.finish();
      } else {
        this.next += 1;
      }
    }
    if (this.jobs.length > 0) this.schedule();
  }
}
