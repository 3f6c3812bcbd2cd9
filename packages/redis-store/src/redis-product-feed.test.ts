import type { Action } from '@threadline/core';
import { deleteKeysWithPrefix, testRedisUrl, uniquePrefix } from '@threadline/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, type RedisClient } from './create-redis.js';
import { createUserStores } from './create-user-stores.js';
import { RedisKeys } from './redis-keys.js';
import { RedisStreamLeases } from './redis-stream-leases.js';

const prefix = uniquePrefix('feed');
const keys = new RedisKeys(prefix);
let redis: RedisClient;

const action = (description: string, extra: Partial<Action> = {}): Action => ({
  at: new Date().toISOString(),
  type: 'click',
  description,
  ...extra,
});

beforeAll(() => {
  redis = createRedis(testRedisUrl(), 'worker', () => {});
});
afterAll(async () => {
  await deleteKeysWithPrefix(testRedisUrl(), prefix);
  redis.disconnect();
});

describe('the product feed written by the activity store', () => {
  it('gets each newly stored action once, in order, with its user; not duplicates, not pending ones', async () => {
    const { activity, productFeed } = createUserStores(redis, keys, {
      maxActions: 200,
      retentionSeconds: 3600,
      linkByEmail: false,
      fingerprintKey: 'k',
      productFeed: { retentionSeconds: 3600, maxEntries: 1000 },
    });
    const start = await productFeed.latestId('shop');
    expect(start).toBe('0-0');
    await activity.append({ productId: 'shop', userId: 'ann' }, [action('one'), action('two')], {
      eventIds: ['e1', 'e2'],
    });
    // A retry of e2 with a new e3: only e3 is new.
    await activity.append({ productId: 'shop', userId: 'ann' }, [action('two again'), action('three')], {
      eventIds: ['e2', 'e3'],
    });
    await activity.append({ productId: 'shop', userId: 'anon-1' }, [action('kept apart')], { pending: true });
    await activity.append({ productId: 'crm', userId: 'bob' }, [
      action('other product', { verified: false }),
    ]);
    const shop = await productFeed.readAfter('shop', start, 100);
    expect(shop.map((entry) => [entry.userId, entry.action.description])).toEqual([
      ['ann', 'one'],
      ['ann', 'two'],
      ['ann', 'three'],
    ]);
    const [crm] = await productFeed.readAfter('crm', '0-0', 100);
    expect(crm?.action).toEqual(expect.objectContaining({ description: 'other product', verified: false }));
    // Resuming after an id gives exactly what follows it.
    expect(
      (await productFeed.readAfter('shop', shop[0]?.id ?? '', 100)).map((e) => e.action.description),
    ).toEqual(['two', 'three']);
    expect(await productFeed.latestId('shop')).toBe(shop[2]?.id);
  });
});

describe('the feed of a many-user append', () => {
  it('gets every user’s new actions of one call in order; a merge’s copy is not fed', async () => {
    const { activity, productFeed } = createUserStores(redis, keys, {
      maxActions: 200,
      retentionSeconds: 3600,
      linkByEmail: false,
      fingerprintKey: 'k',
      productFeed: { retentionSeconds: 3600, maxEntries: 1000 },
    });
    const user = (userId: string) => ({ productId: 'multi', userId });
    await activity.append(user('anon'), [action('before sign-in')]);
    const start = await productFeed.latestId('multi');
    await activity.appendAll([
      {
        user: user('cy'),
        actions: [action('c1'), action('c1 again'), action('c2')],
        options: { eventIds: ['x', 'x', 'y'] },
      },
      { user: user('dee'), actions: [action('d1')], options: { eventIds: ['x'] } },
      { user: user('apart'), actions: [action('pending')], options: { pending: true } },
    ]);
    expect(await activity.merge(user('anon'), user('dee'))).toEqual({ kind: 'merged', moved: 1 });
    const fed = await productFeed.readAfter('multi', start, 100);
    expect(fed.map((entry) => [entry.userId, entry.action.description])).toEqual([
      ['cy', 'c1'],
      ['cy', 'c2'],
      ['dee', 'd1'],
    ]);
  });
});

describe('a request larger than one call', () => {
  it('goes as several calls in order: every user answered, the feed in request order', async () => {
    const { activity, productFeed } = createUserStores(redis, keys, {
      maxActions: 200,
      retentionSeconds: 3600,
      linkByEmail: false,
      fingerprintKey: 'k',
      productFeed: { retentionSeconds: 3600, maxEntries: 10_000 },
    });
    const appends = Array.from({ length: 30 }, (_, user) => ({
      user: { productId: 'large', userId: `user-${user}` },
      actions: Array.from({ length: 17 }, (_, index) => action(`${user}.${index}`)),
      options: { eventIds: Array.from({ length: 17 }, (_, index) => `${user}-${index % 15}`) },
    }));
    const results = await activity.appendAll(appends);
    expect(
      results.map((result) => [result.ids.length, result.isNewUser, result.appendedIndexes?.length]),
    ).toEqual(appends.map(() => [15, true, 15]));
    const fed = await productFeed.readAfter('large', '0-0', 1000);
    expect(fed.map((entry) => entry.action.description)).toEqual(
      appends.flatMap((_, user) => Array.from({ length: 15 }, (_, index) => `${user}.${index}`)),
    );
  });
});

describe('RedisStreamLeases', () => {
  it('holds at most max streams per key, frees one on release, and lets a dead one lapse', async () => {
    // The key itself expires at the newest lease end (PEXPIREAT, server time): the clock starts now.
    let now = Date.now();
    const leases = new RedisStreamLeases(redis, keys, 1000, () => now);
    expect(await leases.take('key-1', 's1', 2)).toBe(true);
    expect(await leases.take('key-1', 's2', 2)).toBe(true);
    expect(await leases.take('key-1', 's3', 2)).toBe(false);
    expect(await leases.take('key-2', 's1', 2)).toBe(true);
    await leases.release('key-1', 's1');
    expect(await leases.take('key-1', 's3', 2)).toBe(true);
    now += 600;
    await leases.renew('key-1', 's3');
    now += 600;
    // s2 was not renewed: its lease lapsed; s3's was.
    expect(await leases.take('key-1', 's4', 2)).toBe(true);
    expect(await leases.take('key-1', 's5', 2)).toBe(false);
  });
});
