import type { RateLimitDecision, RateLimiter } from '@threadline/core';
import type { RedisClient } from './create-redis.js';
import type { RedisKeys } from './redis-keys.js';

/**
 * Fixed-window counters (`INCR` + `PEXPIRE` in one `MULTI`, one round trip), shared by every API
 * replica. The window's number is part of the key, so a counter never outlives its window by more than
 * one window length, whatever the clock of the replica that set the expiry.
 */
export class RedisRateLimiter implements RateLimiter {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async hit(bucket: string, limit: number, windowMs: number): Promise<RateLimitDecision> {
    const now = this.now().getTime();
    const window = Math.floor(now / windowMs);
    const key = this.keys.rateLimit(bucket, window);
    const results = await this.redis.multi().incr(key).pexpire(key, windowMs).exec();
    const [error, count] = results?.[0] ?? [new Error('the rate-limit transaction was discarded'), 0];
    if (error) throw error;
    return { isAllowed: Number(count) <= limit, retryAfterMs: (window + 1) * windowMs - now };
  }
}
