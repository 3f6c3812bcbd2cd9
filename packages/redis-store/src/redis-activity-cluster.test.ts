import type { Action } from '@threadline/core';
import { type LocalRedisCluster, startLocalRedisCluster } from '@threadline/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, type RedisClient } from './create-redis.js';
import { createUserStores } from './create-user-stores.js';
import { RedisKeys } from './redis-keys.js';
import { RedisLinkStore } from './redis-link-store.js';

const keys = new RedisKeys('cluster-append');
let cluster: LocalRedisCluster;
let redis: RedisClient;

const action = (description: string): Action => ({
  at: new Date().toISOString(),
  type: 'click',
  description,
});

beforeAll(async () => {
  cluster = await startLocalRedisCluster(3);
  redis = createRedis(cluster.url, 'worker', () => {});
}, 60_000);
afterAll(async () => {
  redis?.disconnect();
  await cluster?.stop();
});

describe('a many-user append on Redis Cluster', () => {
  it('runs one call per user’s slot, answers each user, and feeds the new actions after them', async () => {
    const { activity, productFeed } = createUserStores(redis, keys, {
      maxActions: 200,
      retentionSeconds: 3600,
      linkByEmail: false,
      fingerprintKey: 'k',
      productFeed: { retentionSeconds: 3600, maxEntries: 1000 },
    });
    const users = Array.from({ length: 12 }, (_, index) => ({ productId: 'shop', userId: `user-${index}` }));
    await new RedisLinkStore(redis, keys).create(
      {
        conversationId: 'conv-7',
        productId: 'shop',
        userId: 'user-7',
        appId: null,
        sessionId: null,
        conversationCreatedAt: null,
        linkedAt: new Date().toISOString(),
        status: 'open',
      },
      null,
    );
    const appends = users.map((user, index) => ({
      user,
      actions: [action(`${user.userId} a`), action(`${user.userId} b`)],
      options: { eventIds: [`${index}-a`, `${index}-b`] },
    }));
    const first = await activity.appendAll(appends);
    expect(first.map((result) => [result.ids.length, result.isNewUser])).toEqual(users.map(() => [2, true]));
    expect(first[7]?.conversations).toEqual(['conv-7']);
    // The users' keys are spread over the masters (so the calls went to more than one node).
    const byMaster = await cluster.keysByMaster('cluster-append:{u:*}:actions');
    expect([...byMaster.values()].filter((found) => found.length > 0).length).toBeGreaterThan(1);

    const retried = await activity.appendAll(appends);
    expect(retried.map((result) => result.ids.length)).toEqual(users.map(() => 0));
    const fed = await productFeed.readAfter('shop', '0-0', 100);
    expect(fed.map((entry) => entry.action.description)).toEqual(
      users.flatMap((user) => [`${user.userId} a`, `${user.userId} b`]),
    );
  });
});
