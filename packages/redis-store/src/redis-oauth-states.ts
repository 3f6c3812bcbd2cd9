import type { OAuthStateStore } from '@threadline/core';
import type { RedisClient } from './create-redis.js';
import type { RedisKeys } from './redis-keys.js';

/**
 * Pending OAuth installs: one string per state, named by the state's SHA-256 and holding the SHA-256
 * of the browser's cookie, so neither secret is in Redis. `GETDEL` makes each state single use.
 */
export class RedisOAuthStates implements OAuthStateStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  async put(stateHash: string, bindingHash: string, ttlSeconds: number): Promise<void> {
    await this.redis.set(this.keys.oauthState(stateHash), bindingHash, 'EX', ttlSeconds);
  }

  async take(stateHash: string): Promise<string | null> {
    return this.redis.getdel(this.keys.oauthState(stateHash));
  }
}
