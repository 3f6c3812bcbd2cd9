import { createHmac } from 'node:crypto';
import type { IdentityStore } from '@threadline/core';
import type { RedisClient } from './create-redis.js';
import type { RedisKeys } from './redis-keys.js';

/**
 * Email → user id for the opt-in email fallback. Only an HMAC of the email is stored, keyed with a
 * deployment secret, so the keys cannot be reversed with a list of known addresses; entries expire
 * with the activity retention.
 */
export class RedisIdentityStore implements IdentityStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly options: { ttlSeconds: number; fingerprintKey: string },
  ) {}

  async rememberEmail(productId: string, email: string, userId: string): Promise<void> {
    await this.redis.set(this.key(productId, email), userId, 'EX', this.options.ttlSeconds);
  }

  async userByEmail(productId: string, email: string): Promise<string | null> {
    return this.redis.get(this.key(productId, email));
  }

  private key(productId: string, email: string): string {
    const fingerprint = createHmac('sha256', this.options.fingerprintKey)
      .update(`${productId}\n${email.trim().toLowerCase()}`)
      .digest('hex');
    return this.keys.emailFingerprint(fingerprint);
  }
}
