import { LuaScript } from '@threadline/redis-store';
import type { Queue } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';

/** Intercom enforces its limit in 10-second windows. */
export const rateLimitWindowMs = 10_000;
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

/** What Intercom's `X-RateLimit-*` headers said on one response. */
export interface RateLimitObservation {
  limit: number;
  remaining: number;
  /** Epoch ms at which the window ends. */
  resetAtMs: number;
}

/** Why the workspace's sending is stopped until an operator acts (401/403). */
export interface SendPause {
  code: string;
  message: string;
  at: string;
}

export type SendPermission = { kind: 'go' } | { kind: 'wait'; ms: number } | { kind: 'paused' };

/**
 * The keys of the send gate, under the hash tag of the first notes shard (`{P-notes}`) however many
 * shards there are: one Redis Cluster slot for the workspace's budget and pause.
 */
export function sendGateKeys(queueTag: string) {
  const base = `${queueTag}:send`;
  return {
    /** String: start (epoch ms) of a conversation's current coalescing window; expires with it. */
    window: (safeConversationId: string) => `${base}:window:${safeConversationId}`,
    /** String: the coalescing factor from the latest rate-limit headers (1–5); 10 s. */
    pressure: `${base}:pressure`,
    /** String: the widest factor, set by a 429 for 30 s. */
    pressureFloor: `${base}:pressure-floor`,
    /** Counter of calls in one 10 s window. */
    calls: (window: number) => `${base}:calls:${window}`,
    /** Hash: limit, remaining, resetAt of the latest response. */
    observed: `${base}:observed`,
    /** String: epoch ms until which a 429 stopped sending. */
    limitedUntil: `${base}:limited-until`,
    /** String (JSON `SendPause`): sending stopped after a 401/403, until an operator resumes. */
    paused: `${base}:paused`,
  };
}

export type SendGateKeys = ReturnType<typeof sendGateKeys>;

const beforeCallScript = new LuaScript(`
if redis.call('EXISTS', KEYS[4]) == 1 then return -1 end
local now = tonumber(ARGV[1])
local limitedUntil = tonumber(redis.call('GET', KEYS[3]))
if limitedUntil and limitedUntil > now then return limitedUntil - now end
local observed = redis.call('HMGET', KEYS[2], 'limit', 'remaining', 'resetAt')
local limit = tonumber(observed[1]) or tonumber(ARGV[3])
local remaining = tonumber(observed[2])
local resetAt = tonumber(observed[3])
local fraction = tonumber(ARGV[4])
if remaining and resetAt and resetAt > now and remaining <= limit * (1 - fraction) then
  return resetAt - now
end
local used = redis.call('INCR', KEYS[1])
if used == 1 then redis.call('PEXPIRE', KEYS[1], 2 * tonumber(ARGV[2])) end
if used > math.floor(limit * fraction) then
  local windowMs = tonumber(ARGV[2])
  return (math.floor(now / windowMs) + 1) * windowMs - now
end
return 0
`);

const observeScript = new LuaScript(`
local limit = tonumber(ARGV[1])
local remaining = tonumber(ARGV[2])
redis.call('HSET', KEYS[1], 'limit', ARGV[1], 'remaining', ARGV[2], 'resetAt', ARGV[3])
redis.call('PEXPIRE', KEYS[1], 60000)
local calls = tonumber(redis.call('GET', KEYS[3])) or 0
local used = math.max(1 - remaining / limit, calls / limit)
local fraction = tonumber(ARGV[4])
local threshold = tonumber(ARGV[7])
local share = (used - threshold) / (fraction - threshold)
if share < 0 then share = 0 end
if share > 1 then share = 1 end
local factor = 1 + (tonumber(ARGV[5]) - 1) * share
redis.call('SET', KEYS[2], tostring(factor), 'PX', tonumber(ARGV[6]))
return tostring(factor)
`);

/**
 * Returns [delay ms, factor, already waiting]: a trailing-edge debounce bounded by the window's
 * maximum wait. ARGV[6] is how long the conversation's waiting job still has before it is due (-1:
 * none). "Already waiting" (1) means that job is due within a tenth of the debounce (ARGV[5]) of the
 * time this request asks for, and is still at least ARGV[4] ms away: it will read this request's
 * action, so nothing is added. The note then follows the last action after 90-100 % of the debounce,
 * and a steady stream of actions costs a few job replacements per window instead of one per action.
 */
export const coalesceDelayScript = new LuaScript(`
local now = tonumber(ARGV[1])
local factor = math.max(tonumber(redis.call('GET', KEYS[2])) or 1, tonumber(redis.call('GET', KEYS[3])) or 1)
local debounce = math.ceil(tonumber(ARGV[2]) * factor)
local maxWait = math.ceil(tonumber(ARGV[3]) * factor)
local start = tonumber(redis.call('GET', KEYS[1]))
if not start then
  start = now
  if maxWait > 0 then redis.call('SET', KEYS[1], ARGV[1], 'PX', maxWait) end
end
local delay = math.max(0, math.min(now + debounce, start + maxWait) - now)
local waiting = tonumber(ARGV[6])
local already = 0
if waiting >= tonumber(ARGV[4]) and math.abs(delay - waiting) <= math.floor(debounce * tonumber(ARGV[5])) then
  already = 1
end
return { delay, tostring(factor), already }
`);

/**
 * Workspace-wide control of Intercom calls, shared by every worker through Redis (one workspace per
 * deployment: one access token). Before each call: stopped by a 401/403 (`paused`), waiting out a
 * 429, or over 90 % of the budget in the current 10 s window (`wait`). After each response: the
 * `X-RateLimit-*` headers set the coalescing factor (adaptive coalescing).
 */
export class NotesSendGate {
  constructor(
    private readonly redis: Redis | Cluster,
    /** Every notes shard: a pause or resume applies to all of them. */
    private readonly noteQueues: readonly Queue[],
    readonly keys: SendGateKeys,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one call against the budget, or says why it must not be made now. */
  async beforeCall(): Promise<SendPermission> {
    const client = this.redis;
    const now = this.now();
    const window = Math.floor(now / rateLimitWindowMs);
    const answer = Number(
      await beforeCallScript.run(
        client,
        [this.keys.calls(window), this.keys.observed, this.keys.limitedUntil, this.keys.paused],
        [now, rateLimitWindowMs, defaultCallsPerWindow, budgetFraction],
      ),
    );
    if (answer < 0) return { kind: 'paused' };
    return answer === 0 ? { kind: 'go' } : { kind: 'wait', ms: answer };
  }

  /** Records a response's rate-limit headers; returns the coalescing factor they imply. */
  async observe(observation: RateLimitObservation): Promise<number> {
    if (!(observation.limit > 0)) return 1;
    const client = this.redis;
    const window = Math.floor(this.now() / rateLimitWindowMs);
    return Number(
      await observeScript.run(
        client,
        [this.keys.observed, this.keys.pressure, this.keys.calls(window)],
        [
          observation.limit,
          observation.remaining,
          observation.resetAtMs,
          budgetFraction,
          maxCoalesceFactor,
          rateLimitWindowMs,
          pressureThreshold,
        ],
      ),
    );
  }

  /** A 429: no call from any worker until `waitMs` has passed; coalescing at its widest for a while. */
  async rateLimited(waitMs: number): Promise<void> {
    const client = this.redis;
    const until = this.now() + waitMs;
    await client
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

  /**
   * A 401/403: stops the workspace's note sending (the flag, and every notes shard paused so jobs wait
   * in BullMQ's paused lists). Idempotent; keeps the first reason.
   */
  async pause(reason: Omit<SendPause, 'at'>): Promise<boolean> {
    const client = this.redis;
    const pause: SendPause = { ...reason, at: new Date(this.now()).toISOString() };
    const isFirst = (await client.set(this.keys.paused, JSON.stringify(pause), 'NX')) === 'OK';
    await Promise.all(this.noteQueues.map((queue) => queue.pause()));
    return isFirst;
  }

  /** Why sending is stopped, or null. */
  async paused(): Promise<SendPause | null> {
    const client = this.redis;
    const raw = await client.get(this.keys.paused);
    return raw ? (JSON.parse(raw) as SendPause) : null;
  }

  /** What `threadline resume` does: clears the flag and resumes every notes shard. */
  async resume(): Promise<void> {
    const client = this.redis;
    await client.del(this.keys.paused);
    await Promise.all(this.noteQueues.map((queue) => queue.resume()));
  }
}
