import type { Action } from '@threadline/core';
import { deleteKeysWithPrefix, testRedisUrl, uniquePrefix } from '@threadline/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, type RedisClient } from './create-redis.js';
import { RedisActivityStore } from './redis-activity-store.js';
import { RedisKeys } from './redis-keys.js';

const prefix = uniquePrefix('merge');
const keys = new RedisKeys(prefix);
let redis: RedisClient;
beforeAll(() => {
  redis = createRedis(testRedisUrl(), 'worker', () => {});
});
afterAll(async () => {
  await deleteKeysWithPrefix(testRedisUrl(), prefix);
  redis.disconnect();
});

function action(description: string): Action {
  return { type: 'custom', description, at: new Date().toISOString() };
}

describe('RedisActivityStore.merge with actions arriving meanwhile', () => {
  it('loses none: each lands in the user’s stream or stays under the anonymous id, never both, never neither', async () => {
    const store = new RedisActivityStore(redis, keys, { maxActions: 10_000, retentionSeconds: 3600 });
    for (let round = 0; round < 5; round += 1) {
      const anonymous = { productId: 'shop', userId: `anon-${round}` };
      const known = { productId: 'shop', userId: `user-${round}` };
      await store.append(
        anonymous,
        Array.from({ length: 200 }, (_, index) => action(`before ${index}`)),
      );
      // Appends race the claim, the copy and the delete of the copied entries.
      const arriving = Array.from({ length: 50 }, (_, index) =>
        store.append(anonymous, [action(`during ${index}`)]),
      );
      const [merged] = await Promise.all([store.merge(anonymous, known), ...arriving]);
      expect(merged.kind).toBe('merged');
      const moved = (await store.listRecent(known, 10_000)).map((stored) => stored.description);
      const left = (await store.listRecent(anonymous, 10_000)).map((stored) => stored.description);
      const expected = [
        ...Array.from({ length: 200 }, (_, index) => `before ${index}`),
        ...Array.from({ length: 50 }, (_, index) => `during ${index}`),
      ];
      expect([...moved, ...left].sort()).toEqual(expected.sort());
      expect(moved.filter((description) => description.startsWith('before'))).toHaveLength(200);
    }
  });
});
