import { deleteKeysWithPrefix, testRedisUrl, uniquePrefix } from '@threadline/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, type RedisClient } from './create-redis.js';
import { RedisAccessKeyStore } from './redis-access-key-store.js';
import { RedisKeys } from './redis-keys.js';
import { RedisRateLimiter } from './redis-rate-limiter.js';
import { waitUntilReady } from './wait-until-ready.js';

const prefix = uniquePrefix('access');
const keys = new RedisKeys(prefix);
let redis: RedisClient;

beforeAll(async () => {
  redis = createRedis(testRedisUrl(), 'producer', () => {});
  await waitUntilReady(redis);
});
afterAll(async () => {
  await deleteKeysWithPrefix(testRedisUrl(), prefix);
  redis.disconnect();
});

describe('RedisAccessKeyStore', () => {
  const record = (id: string, createdAt: string) => ({
    id,
    productId: 'shop',
    name: id === 'aaaaaaaaaaaa' ? 'fin' : null,
    keyHash: 'ab'.repeat(32),
    createdAt,
  });

  it('stores, lists oldest first, records use, and revokes', async () => {
    const store = new RedisAccessKeyStore(redis, keys);
    await store.create(record('bbbbbbbbbbbb', '2025-03-02T00:00:00.000Z'));
    await store.create(record('aaaaaaaaaaaa', '2025-03-01T00:00:00.000Z'));
    await expect(store.create(record('aaaaaaaaaaaa', '2025-03-03T00:00:00.000Z'))).rejects.toThrow(
      /already exists/,
    );
    expect(await store.get('aaaaaaaaaaaa')).toEqual(record('aaaaaaaaaaaa', '2025-03-01T00:00:00.000Z'));
    expect(await store.get('cccccccccccc')).toBeNull();
    expect((await store.list()).map((key) => key.id)).toEqual(['aaaaaaaaaaaa', 'bbbbbbbbbbbb']);

    await store.recordUse('aaaaaaaaaaaa', new Date('2025-03-04T00:00:00.000Z'));
    await store.recordUse('env-0123456789ab', new Date('2025-03-05T00:00:00.000Z'));
    expect(await store.lastUses()).toEqual({
      aaaaaaaaaaaa: '2025-03-04T00:00:00.000Z',
      'env-0123456789ab': '2025-03-05T00:00:00.000Z',
    });

    expect(await store.revoke('aaaaaaaaaaaa')).toBe(true);
    expect(await store.revoke('aaaaaaaaaaaa')).toBe(false);
    expect(await store.get('aaaaaaaaaaaa')).toBeNull();
    expect(await store.lastUses()).toEqual({ 'env-0123456789ab': '2025-03-05T00:00:00.000Z' });
  });

  it('keeps every key of the store under one hash tag', () => {
    const tag = (key: string) => key.slice(key.indexOf('{'), key.indexOf('}') + 1);
    expect(tag(keys.accessKeys())).toBe('{access}');
    expect(tag(keys.accessKeysLastUsed())).toBe('{access}');
  });
});

describe('RedisRateLimiter', () => {
  it('allows `limit` hits per fixed window, says when the window ends, and starts over in the next', async () => {
    let now = Date.UTC(2025, 2, 1, 10, 0, 20);
    const limiter = new RedisRateLimiter(redis, keys, () => new Date(now));
    const decisions = [];
    for (let hit = 0; hit < 4; hit += 1) decisions.push(await limiter.hit('key:one', 3, 60_000));
    expect(decisions.map((decision) => decision.isAllowed)).toEqual([true, true, true, false]);
    expect(decisions[3]?.retryAfterMs).toBe(40_000);
    expect((await limiter.hit('key:two', 3, 60_000)).isAllowed).toBe(true);

    const counter = keys.rateLimit('key:one', Math.floor(now / 60_000));
    expect(await redis.get(counter)).toBe('4');
    const ttl = await redis.pttl(counter);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);

    now += 40_000;
    expect((await limiter.hit('key:one', 3, 60_000)).isAllowed).toBe(true);
  });

  it('keeps a hostile bucket name inside its hash tag', () => {
    const key = keys.rateLimit('key:}{x', 7);
    expect(key).toBe(`${prefix}:{rl:key%3A%7D%7Bx}:7`);
  });
});
