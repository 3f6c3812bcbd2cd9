import type { IntercomSendGate, RateLimitObservation, SendPause, SendPermission } from '@threadline/core';
import { defineLuaScript, type RedisClient } from '@threadline/redis-store';
import type { Queue } from 'bullmq';
import { rateLimitWindowMs, type SendGateKeys } from './send-gate-keys.js';

/** Proactive use stays under this share of the budget Intercom reports. */
export const budgetFraction = 0.9;
/** 10,000 calls a minute per app, enforced per 10 s: assumed until a response says otherwise. */
export const defaultCallsPerWindow = 1666;
/** Coalescing widens up to this factor under rate pressure. */
export const maxCoalesceFactor = 5;
/** Coalescing starts to widen once this share of the window's budget is used. */
const pressureThreshold = 0.7;
/** How long a 429 keeps coalescing at its widest. */
const rateLimitedCooldownMs = 30_000;

const beforeCallScript = defineLuaScript<
  'calls' | 'observed' | 'limitedUntil' | 'paused',
  'now' | 'windowMs' | 'defaultLimit' | 'budgetFraction',
  { verdict: 'go' | 'wait' | 'paused'; waitMs: number }
>(new URL('./before-call.lua', import.meta.url));

const observeScript = defineLuaScript<
  'observed' | 'pressure' | 'calls',
  | 'limit'
  | 'remaining'
  | 'resetAtMs'
  | 'budgetFraction'
  | 'maxFactor'
  | 'pressureTtlMs'
  | 'pressureThreshold',
  { factor: string }
>(new URL('./observe-response.lua', import.meta.url));

/**
 * One workspace's send gate in Redis, shared by every worker (one access token: one budget). Before
 * each call: stopped by a 401/403 (`paused`), waiting out a 429, or over 90 % of the budget in the
 * current 10 s window (`wait`). After each response: the `X-RateLimit-*` headers set the coalescing
 * factor (adaptive coalescing). Each workspace has its own keys (`workspaceSendGateKeys`), so a 429 or
 * a pause of one never holds another's calls; a pause therefore leaves the notes queues running (the
 * paused workspace's jobs wait as delayed jobs, see the worker's `define-processor.ts`).
 */
export class RedisIntercomSendGate implements IntercomSendGate {
  constructor(
    private readonly redis: RedisClient,
    /** Every notes shard: a resume resumes them too (a version before workspaces paused the queues). */
    private readonly noteQueues: readonly Queue[],
    readonly keys: SendGateKeys,
    private readonly now: () => number = Date.now,
  ) {}

  async beforeCall(): Promise<SendPermission> {
    const now = this.now();
    const window = Math.floor(now / rateLimitWindowMs);
    const { verdict, waitMs } = await beforeCallScript.run(
      this.redis,
      {
        calls: this.keys.calls(window),
        observed: this.keys.observed,
        limitedUntil: this.keys.limitedUntil,
        paused: this.keys.paused,
      },
      { now, windowMs: rateLimitWindowMs, defaultLimit: defaultCallsPerWindow, budgetFraction },
    );
    if (verdict === 'wait') return { kind: 'wait', ms: waitMs };
    return { kind: verdict };
  }

  async observe(observation: RateLimitObservation): Promise<number> {
    if (!(observation.limit > 0)) return 1;
    const window = Math.floor(this.now() / rateLimitWindowMs);
    const { factor } = await observeScript.run(
      this.redis,
      { observed: this.keys.observed, pressure: this.keys.pressure, calls: this.keys.calls(window) },
      {
        limit: observation.limit,
        remaining: observation.remaining,
        resetAtMs: observation.resetAtMs,
        budgetFraction,
        maxFactor: maxCoalesceFactor,
        pressureTtlMs: rateLimitWindowMs,
        pressureThreshold,
      },
    );
    return Number(factor);
  }

  async rateLimited(waitMs: number): Promise<void> {
    const until = this.now() + waitMs;
    await this.redis
      .multi()
      .set(this.keys.limitedUntil, String(until), 'PX', Math.max(1, waitMs))
      .set(
        this.keys.pressureFloor,
        String(maxCoalesceFactor),
        'PX',
        Math.max(rateLimitedCooldownMs, waitMs + rateLimitWindowMs),
      )
      .exec();
  }

  async pause(reason: Omit<SendPause, 'at'>): Promise<boolean> {
    const pause: SendPause = { ...reason, at: new Date(this.now()).toISOString() };
    return (await this.redis.set(this.keys.paused, JSON.stringify(pause), 'NX')) === 'OK';
  }

  async paused(): Promise<SendPause | null> {
    const raw = await this.redis.get(this.keys.paused);
    return raw ? (JSON.parse(raw) as SendPause) : null;
  }

  async resume(): Promise<void> {
    await this.redis.del(this.keys.paused);
    await Promise.all(this.noteQueues.map((queue) => queue.resume()));
  }
}
