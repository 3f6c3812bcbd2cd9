import type { Subscription, SubscriptionStore } from '@threadline/core';
import type { RedisClient } from './create-redis.js';
import { LuaScript } from './lua-script.js';
import type { RedisKeys } from './redis-keys.js';

/** KEYS: 1 the lock. ARGV: 1 its holder. Deletes it only if that holder still has it. */
const UNLOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

const unlockScript = new LuaScript(UNLOCK);

/** Subscriptions in one hash (`{subs}:subscriptions`), cursors in another, all in one Cluster slot. */
export class RedisSubscriptionStore implements SubscriptionStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  async add(subscription: Subscription, cursor: string): Promise<void> {
    await this.redis
      .multi()
      .hset(this.keys.subscriptions(), subscription.id, JSON.stringify(subscription))
      .hset(this.keys.subscriptionCursors(), subscription.id, cursor)
      .exec();
  }

  async get(id: string): Promise<Subscription | null> {
    const stored = await this.redis.hget(this.keys.subscriptions(), id);
    return stored ? (JSON.parse(stored) as Subscription) : null;
  }

  async list(): Promise<Subscription[]> {
    const all = await this.redis.hgetall(this.keys.subscriptions());
    return Object.values(all)
      .map((stored) => JSON.parse(stored) as Subscription)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async remove(id: string): Promise<boolean> {
    const [[, removed] = [null, 0]] =
      (await this.redis
        .multi()
        .hdel(this.keys.subscriptions(), id)
        .hdel(this.keys.subscriptionCursors(), id)
        .exec()) ?? [];
    return removed === 1;
  }

  async disable(id: string, reason: string, at: string): Promise<void> {
    const subscription = await this.get(id);
    if (!subscription || subscription.disabled) return;
    await this.redis.hset(
      this.keys.subscriptions(),
      id,
      JSON.stringify({ ...subscription, disabled: { reason, at } }),
    );
  }

  cursorOf(id: string): Promise<string | null> {
    return this.redis.hget(this.keys.subscriptionCursors(), id);
  }

  async setCursor(id: string, feedId: string): Promise<void> {
    await this.redis.hset(this.keys.subscriptionCursors(), id, feedId);
  }

  async tryLock(id: string, holder: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(this.keys.subscriptionLock(id), holder, 'PX', ttlMs, 'NX')) === 'OK';
  }

  async unlock(id: string, holder: string): Promise<void> {
    await unlockScript.run(this.redis, [this.keys.subscriptionLock(id)], [holder]);
  }
}
