import { deleteKeysWithPrefix, testRedisUrl, uniquePrefix } from '@threadline/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, type RedisClient } from './create-redis.js';
import { RedisCaptureQuota } from './redis-capture-quota.js';
import { RedisKeys } from './redis-keys.js';
import { waitUntilReady } from './wait-until-ready.js';

const prefix = uniquePrefix('quota');
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('RedisCaptureQuota', () => {
  it('refuses events past the window’s limit, per client, and allows them again in the next window', async () => {
    const quota = new RedisCaptureQuota(redis, keys, {
      eventsPerMinute: 5,
      newUsersPerHour: 100,
      windowSeconds: { events: 1, newUsers: 60 },
    });
    expect(await quota.takeEvents('198.51.100.1', 5)).toEqual({ isAllowed: true });
    const refused = await quota.takeEvents('198.51.100.1', 1);
    expect(refused).toMatchObject({ isAllowed: false, reason: 'ip_events' });
    // Another client has its own count.
    expect(await quota.takeEvents('198.51.100.2', 5)).toEqual({ isAllowed: true });

    await sleep(1100);
    expect(await quota.takeEvents('198.51.100.1', 5)).toEqual({ isAllowed: true });
  });

  it('counts new users after the fact and answers a refusal once the client reached the limit, until the window ends', async () => {
    const quota = new RedisCaptureQuota(redis, keys, {
      eventsPerMinute: 1000,
      newUsersPerHour: 3,
      windowSeconds: { events: 60, newUsers: 1 },
    });
    expect(await quota.addNewUsers('198.51.100.3', 2)).toEqual({ isAllowed: true });
    const refused = await quota.addNewUsers('198.51.100.3', 1);
    expect(refused).toMatchObject({ isAllowed: false, reason: 'ip_new_users' });
    if (!refused.isAllowed) expect(refused.retryAfterMs).toBeGreaterThanOrEqual(1000);
    await sleep(1100);
    expect(await quota.addNewUsers('198.51.100.3', 1)).toEqual({ isAllowed: true });
  });

  it('fails (so the route answers 503) rather than allowing everything while Redis is unreachable', async () => {
    const offline = createRedis('redis://127.0.0.1:1', 'producer', () => {});
    try {
      const quota = new RedisCaptureQuota(offline, keys, { eventsPerMinute: 5, newUsersPerHour: 5 });
      await expect(quota.takeEvents('198.51.100.4', 1)).rejects.toThrow();
      await expect(quota.addNewUsers('198.51.100.4', 1)).rejects.toThrow();
    } finally {
      offline.disconnect();
    }
  });
});
