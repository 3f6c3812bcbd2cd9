import type { CaptureQuota, CaptureQuotaDecision, CaptureQuotaReason } from '@threadline/core';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { RedisClient } from './create-redis.js';
import type { RedisKeys } from './redis-keys.js';

export interface CaptureQuotaLimits {
  /** CAPTURE_IP_EVENTS_PER_MINUTE. */
  eventsPerMinute: number;
  /** CAPTURE_IP_NEW_USERS_PER_HOUR. */
  newUsersPerHour: number;
  /** The windows' lengths (s): 60 and 3,600, shorter only in tests of recovery. */
  windowSeconds?: { events: number; newUsers: number };
}

function refusal(reason: CaptureQuotaReason, result: RateLimiterRes): CaptureQuotaDecision {
  return { isAllowed: false, reason, retryAfterMs: Math.max(1000, result.msBeforeNext) };
}

/**
 * The public capture key's per-client limits over rate-limiter-flexible's Redis limiter (one key per
 * client and limit, so the counters spread over a cluster). It counts points, not requests, which
 * is what "events per minute" and "new ids per hour" need (@fastify/rate-limit counts requests).
 * Its errors (Redis down) propagate: the route answers 503.
 */
export class RedisCaptureQuota implements CaptureQuota {
  private readonly events: RateLimiterRedis;
  private readonly newUsers: RateLimiterRedis;

  constructor(
    redis: RedisClient,
    keys: RedisKeys,
    private readonly limits: CaptureQuotaLimits,
  ) {
    this.events = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: keys.captureQuota('events'),
      points: limits.eventsPerMinute,
      duration: limits.windowSeconds?.events ?? 60,
      rejectIfRedisNotReady: true,
    });
    this.newUsers = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: keys.captureQuota('new-users'),
      points: limits.newUsersPerHour,
      duration: limits.windowSeconds?.newUsers ?? 3600,
      rejectIfRedisNotReady: true,
    });
  }

  async takeEvents(client: string, events: number): Promise<CaptureQuotaDecision> {
    if (events === 0) return { isAllowed: true };
    try {
      await this.events.consume(client, events);
      return { isAllowed: true };
    } catch (error) {
      if (error instanceof RateLimiterRes) return refusal('ip_events', error);
      throw error;
    }
  }

  async addNewUsers(client: string, users: number): Promise<CaptureQuotaDecision> {
    if (users === 0) return { isAllowed: true };
    const result = await this.newUsers.penalty(client, users);
    return result.consumedPoints >= this.limits.newUsersPerHour
      ? refusal('ip_new_users', result)
      : { isAllowed: true };
  }
}
