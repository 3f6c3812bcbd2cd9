import type { NotificationClaims } from '@threadline/core';
import type { RedisClient } from './create-redis.js';
import type { RedisKeys } from './redis-keys.js';

/** Webhook notification ids, each claimed once across every API replica. */
export class RedisNotificationClaims implements NotificationClaims {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  async claim(notificationId: string, ttlSeconds: number): Promise<boolean> {
    return (
      (await this.redis.set(this.keys.notification(notificationId), '1', 'EX', ttlSeconds, 'NX')) === 'OK'
    );
  }

  async extend(notificationId: string, ttlSeconds: number): Promise<void> {
    await this.redis.expire(this.keys.notification(notificationId), ttlSeconds);
  }

  async release(notificationId: string): Promise<void> {
    await this.redis.del(this.keys.notification(notificationId));
  }
}
