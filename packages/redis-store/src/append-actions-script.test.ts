import type { Action } from '@threadline/core';
import { deleteKeysWithPrefix, testRedisUrl, uniquePrefix } from '@threadline/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, type RedisClient } from './create-redis.js';
import { RedisActivityStore } from './redis-activity-store.js';
import { RedisKeys } from './redis-keys.js';
import { RedisLinkStore } from './redis-link-store.js';

const prefix = uniquePrefix('append-script');
const keys = new RedisKeys(prefix);
let redis: RedisClient;

function action(description: string): Action {
  return { at: new Date().toISOString(), type: 'click', description };
}

function hashTag(key: string): string {
  return key.slice(key.indexOf('{') + 1, key.indexOf('}'));
}

beforeAll(() => {
  redis = createRedis(testRedisUrl(), 'worker', () => {});
});
afterAll(async () => {
  await deleteKeysWithPrefix(testRedisUrl(), prefix);
  redis.disconnect();
});

describe('append-actions.lua (RedisActivityStore.appendAll)', () => {
  it('names only keys of the user’s hash tag, so one Redis Cluster slot runs it', () => {
    const tags = [
      keys.actions('shop', 'u:1{x}'),
      keys.pendingActions('shop', 'u:1{x}'),
      keys.identified('shop', 'u:1{x}'),
      keys.seenEvents('shop', 'u:1{x}', 7),
      keys.seenEvents('shop', 'u:1{x}', 6),
      keys.userConversations('shop', 'u:1{x}'),
    ].map(hashTag);
    expect(new Set(tags)).toEqual(new Set(['u:shop:u%3A1%7Bx%7D']));
  });

  it('appends each user’s actions in one pipeline and answers each user’s linked conversations', async () => {
    const store = new RedisActivityStore(redis, keys, { maxActions: 200, retentionSeconds: 3600 });
    const links = new RedisLinkStore(redis, keys);
    const linked = { productId: 'shop', userId: 'with-conversations' };
    for (const conversationId of ['conv-a', 'conv-b']) {
      await links.create(
        {
          conversationId,
          productId: 'shop',
          userId: linked.userId,
          appId: null,
          sessionId: null,
          conversationCreatedAt: null,
          linkedAt: new Date().toISOString(),
          status: 'open',
        },
        null,
      );
    }
    const quiet = { productId: 'shop', userId: 'without-conversations' };
    const pending = { productId: 'shop', userId: 'with-conversations' };
    const results = await store.appendAll([
      { user: linked, actions: [action('paid'), action('left')], options: { eventIds: ['e-1', 'e-2'] } },
      { user: quiet, actions: [action('browsed')] },
      { user: pending, actions: [action('claimed')], options: { pending: true } },
      { user: { productId: 'shop', userId: 'nothing' }, actions: [] },
    ]);
    expect(results.map((result) => result.ids.length)).toEqual([2, 1, 1, 0]);
    expect(results.map((result) => result.isNewUser)).toEqual([true, true, true, false]);
    expect(results[0]?.conversations.sort()).toEqual(['conv-a', 'conv-b']);
    expect(results[1]?.conversations).toEqual([]);
    // Pending actions are read by nobody: the conversations are not asked for.
    expect(results[2]?.conversations).toEqual([]);
    expect(results[3]).toEqual({ ids: [], isNewUser: false, conversations: [] });
    expect((await store.listRecent(linked, 10)).map((a) => a.description)).toEqual(['paid', 'left']);

    // A retry of the first user's events stores nothing and still names its conversations.
    const [retry] = await store.appendAll([
      { user: linked, actions: [action('paid'), action('left')], options: { eventIds: ['e-1', 'e-2'] } },
    ]);
    expect(retry).toMatchObject({ ids: [], isNewUser: false });
    expect(retry?.conversations.sort()).toEqual(['conv-a', 'conv-b']);
  });
});
