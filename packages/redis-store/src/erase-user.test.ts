import type { Action } from '@threadline/core';
import { deleteKeysWithPrefix, testRedisUrl, uniquePrefix } from '@threadline/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, type RedisClient } from './create-redis.js';
import { eraseUser } from './erase-user.js';
import { RedisActivityStore } from './redis-activity-store.js';
import { RedisDeliveryStore } from './redis-delivery-store.js';
import { RedisIdentityStore } from './redis-identity-store.js';
import { RedisKeys } from './redis-keys.js';
import { RedisLinkStore } from './redis-link-store.js';
import { scanKeys } from './scan-keys.js';

const prefix = uniquePrefix('erase');
const keys = new RedisKeys(prefix);
let redis: RedisClient;

const action = (description: string): Action => ({
  at: new Date().toISOString(),
  type: 'click',
  description,
});
const link = (conversationId: string, userId: string) => ({
  conversationId,
  productId: 'shop',
  userId,
  appId: null,
  sessionId: null,
  conversationCreatedAt: null,
  linkedAt: new Date().toISOString(),
  status: 'open' as const,
});

/** Every key of the prefix with its value rendered as text, to look for any trace of a user. */
async function dump(): Promise<string> {
  const lines: string[] = [];
  for (const key of await scanKeys(redis, `${prefix}:*`)) {
    const type = await redis.type(key);
    const value =
      type === 'string'
        ? await redis.get(key)
        : type === 'hash'
          ? JSON.stringify(await redis.hgetall(key))
          : type === 'set'
            ? JSON.stringify(await redis.smembers(key))
            : type === 'list'
              ? JSON.stringify(await redis.lrange(key, 0, -1))
              : JSON.stringify(await redis.xrange(key, '-', '+'));
    lines.push(`${key} ${value}`);
  }
  return lines.join('\n');
}

beforeAll(() => {
  redis = createRedis(testRedisUrl(), 'worker', () => {});
});
afterAll(async () => {
  await deleteKeysWithPrefix(testRedisUrl(), prefix);
  redis.disconnect();
});

describe('eraseUser', () => {
  it('leaves no key or value of the user behind, and keeps everyone else', async () => {
    const activity = new RedisActivityStore(redis, keys, { maxActions: 200, retentionSeconds: 3600 });
    const links = new RedisLinkStore(redis, keys);
    const delivery = new RedisDeliveryStore(redis, keys);
    const identities = new RedisIdentityStore(redis, keys, { ttlSeconds: 3600, fingerprintKey: 'secret' });
    const forgotten = { productId: 'shop', userId: 'erase-me-7f3' };
    const kept = { productId: 'shop', userId: 'keep-me' };

    // With event ids, so the user's dedupe sets (named after the user) exist too.
    await activity.append({ productId: 'shop', userId: 'anon-erase-1' }, [action('browsed anonymously')], {
      eventIds: ['event-a'],
    });
    await activity.merge({ productId: 'shop', userId: 'anon-erase-1' }, forgotten);
    await activity.append(forgotten, [action('clicked pay')], { eventIds: ['event-b'] });
    await activity.append(kept, [action('other user')], { eventIds: ['event-c'] });
    expect(
      await redis.exists(keys.seenEvents('shop', forgotten.userId, Math.floor(Date.now() / 7_200_000))),
    ).toBe(1);
    await identities.rememberEmail('shop', 'erase@example.com', forgotten.userId);
    await identities.rememberEmail('shop', 'keep@example.com', kept.userId);
    await links.create(link('conv-open', forgotten.userId), null);
    await links.create(link('conv-closed', forgotten.userId), null);
    await links.close('conv-closed', 'gone');
    await links.create(link('conv-other', kept.userId), null);
    const pending = {
      reference: 'tl-conv-open-1-1',
      html: '<p>x</p>',
      firstNumber: 1,
      lastNumber: 1,
      lastActionId: '1-0',
    };
    await delivery.commit('conv-open', pending, 'part-1', new Date().toISOString());
    expect(await dump()).toContain(forgotten.userId);

    const report = await eraseUser(redis, keys, 'shop', forgotten.userId);

    expect(report.actions).toBe(2);
    expect(report.conversations.sort()).toEqual(['conv-closed', 'conv-open']);
    expect(report.anonymousIds).toBe(1);
    expect(report.emailFingerprints).toBe(1);
    const remaining = await dump();
    expect(remaining).not.toContain(forgotten.userId);
    expect(remaining).not.toContain('conv-open');
    expect(remaining).not.toContain('conv-closed');
    expect(remaining).not.toContain('browsed anonymously');
    expect(await activity.listRecent(kept, 10)).toHaveLength(1);
    expect(remaining).toContain('keep-me}:seen:');
    expect(await links.get('conv-other')).not.toBeNull();
    expect(await identities.userByEmail('shop', 'keep@example.com')).toBe(kept.userId);
  });

  it('reports nothing for an unknown user and deletes nothing', async () => {
    const before = await dump();
    const report = await eraseUser(redis, keys, 'shop', 'nobody');
    expect(report).toEqual({
      actions: 0,
      conversations: [],
      anonymousIds: 0,
      mergedInto: [],
      unlinkedEntries: 0,
      emailFingerprints: 0,
      keys: [],
    });
    expect(await dump()).toBe(before);
  });
});
