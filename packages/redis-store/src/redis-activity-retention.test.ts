import type { Action } from '@threadline/core';
import { deleteKeysWithPrefix, testRedisUrl, uniquePrefix } from '@threadline/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, type RedisClient } from './create-redis.js';
import { createUserStores } from './create-user-stores.js';
import { RedisActivityStore } from './redis-activity-store.js';
import { RedisKeys } from './redis-keys.js';

const prefix = uniquePrefix('retention');
const keys = new RedisKeys(prefix);
let redis: RedisClient;

beforeAll(() => {
  redis = createRedis(testRedisUrl(), 'worker', () => {});
});
afterAll(async () => {
  await deleteKeysWithPrefix(testRedisUrl(), prefix);
  redis.disconnect();
});

/** A store on a clock of its own, and actions timed in minutes before that clock's start. */
function clocked(limits: {
  maxActions: number;
  retentionSeconds: number;
  anonymousRetentionSeconds?: number;
}) {
  const start = Date.now();
  const clock = { now: start };
  const store = new RedisActivityStore(redis, keys, limits, () => new Date(clock.now));
  const action = (description: string, minutesAgo: number): Action => ({
    at: new Date(start - minutesAgo * 60_000).toISOString(),
    type: 'click',
    description,
  });
  return { store, clock, action };
}

const descriptions = (actions: { description: string }[]) => actions.map((a) => a.description);

describe('RedisActivityStore: retention by event time', () => {
  it('does not store a late event older than the retention, nor remember its id; nothing is evicted for it', async () => {
    const { store, action } = clocked({ maxActions: 3, retentionSeconds: 3600 });
    const user = { productId: 'shop', userId: 'late-expired' };
    await store.append(user, [action('n1', 30), action('n2', 20), action('n3', 10)]);
    const late = await store.append(user, [action('too old', 61), action('n4', 5)], {
      eventIds: ['e-old', 'e-4'],
    });
    expect(late).toMatchObject({ expired: 1, appendedIndexes: [1] });
    expect(late.ids).toHaveLength(1);
    expect(descriptions(await store.listRecent(user, 10))).toEqual(['n1', 'n2', 'n3', 'n4']);
    expect(await redis.xlen(keys.actions('shop', 'late-expired'))).toBe(4);
    // Its retry is past the retention again, not a duplicate.
    expect(await store.append(user, [action('too old', 61)], { eventIds: ['e-old'] })).toMatchObject({
      ids: [],
      expired: 1,
    });
  });

  it('does not feed an action past the retention to the product feed', async () => {
    const { activity, productFeed } = createUserStores(redis, keys, {
      maxActions: 200,
      retentionSeconds: 3600,
      linkByEmail: false,
      fingerprintKey: 'k',
      productFeed: { retentionSeconds: 3600, maxEntries: 1000 },
    });
    const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();
    await activity.append({ productId: 'expired-feed', userId: 'ann' }, [
      { at: at(90), type: 'click', description: 'too old' },
      { at: at(1), type: 'click', description: 'fresh' },
    ]);
    const fed = await productFeed.readAfter('expired-feed', '0-0', 10);
    expect(fed.map((entry) => entry.action.description)).toEqual(['fresh']);
  });

  it('stops returning an entry once its event time passes the cutoff, while newer ones stay', async () => {
    const { store, clock, action } = clocked({ maxActions: 200, retentionSeconds: 3600 });
    const user = { productId: 'shop', userId: 'ageing' };
    await store.append(user, [action('recent 1', 2), action('recent 2', 1)]);
    // Arrives last, happened 50 minutes ago: within the retention, stored.
    expect((await store.append(user, [action('late', 50)])).ids).toHaveLength(1);
    expect(descriptions(await store.listRecent(user, 10))).toEqual(['recent 1', 'recent 2', 'late']);

    clock.now += 15 * 60_000;
    expect(descriptions(await store.listRecent(user, 10))).toEqual(['recent 1', 'recent 2']);
    expect(descriptions(await store.listAfter(user, null, 10))).toEqual(['recent 1', 'recent 2']);
    // Hidden, not trimmed: it arrived a quarter of an hour ago, and MINID trims by arrival.
    expect(await redis.xlen(keys.actions('shop', 'ageing'))).toBe(3);
  });

  it('reads past a run of hidden entries: cursors neither stall nor return anything twice', async () => {
    const { store, clock, action } = clocked({ maxActions: 200, retentionSeconds: 3600 });
    const user = { productId: 'shop', userId: 'hidden-run' };
    const ids: string[] = [];
    for (const [description, minutesAgo] of [
      ['a', 5],
      ['old 1', 55],
      ['old 2', 55],
      ['old 3', 55],
      ['b', 4],
      ['c', 3],
      ['old 4', 55],
      ['old 5', 55],
      ['old 6', 55],
    ] as const)
      ids.push(...(await store.append(user, [action(description, minutesAgo)])).ids);
    clock.now += 10 * 60_000;

    // Pages of two, each from the last id read, as a delivery moves its cursor.
    const pages: string[][] = [];
    let cursor: string | null = null;
    for (;;) {
      const page = await store.listAfter(user, cursor, 2);
      if (page.length === 0) break;
      pages.push(descriptions(page));
      cursor = page.at(-1)!.id;
    }
    expect(pages).toEqual([['a', 'b'], ['c']]);
    // The cursor rests on the last one shown: the hidden run after it is skipped again, never shown.
    expect(cursor).toBe(ids[5]);
    expect(await store.listAfter(user, ids[0]!, 2)).toMatchObject([{ id: ids[4] }, { id: ids[5] }]);
    // The newest two are the newest two shown, whatever hidden entries arrived after them.
    expect(descriptions(await store.listRecent(user, 2))).toEqual(['b', 'c']);
    expect(descriptions(await store.listRecent(user, 10))).toEqual(['a', 'b', 'c']);
  });

  it('applies the anonymous retention by event time to an anonymous id, and the full one to a known user', async () => {
    const { store, action } = clocked({
      maxActions: 200,
      retentionSeconds: 3600,
      anonymousRetentionSeconds: 600,
    });
    const anonymous = { productId: 'shop', userId: 'anon-by-time' };
    const known = { productId: 'shop', userId: 'known-by-time' };
    const fromAnonymous = await store.append(anonymous, [action('20 min ago', 20), action('5 min ago', 5)], {
      isAnonymous: true,
    });
    expect(fromAnonymous).toMatchObject({ expired: 1, appendedIndexes: [1] });
    const pending = await store.append(
      { productId: 'shop', userId: 'anon-pending' },
      [action('20 min ago', 20)],
      {
        pending: true,
      },
    );
    expect(pending).toMatchObject({ ids: [], expired: 1 });
    const fromKnown = await store.append(known, [action('20 min ago', 20), action('5 min ago', 5)]);
    expect(fromKnown.ids).toHaveLength(2);
    expect(fromKnown.expired).toBeUndefined();

    // An anonymous-looking request never shortens a stream already kept the full retention.
    const later = await store.append(known, [action('another, 30 min ago', 30)], { isAnonymous: true });
    expect(later.ids).toHaveLength(1);
    expect(descriptions(await store.listRecent(known, 10))).toEqual([
      '20 min ago',
      '5 min ago',
      'another, 30 min ago',
    ]);
  });

  it('moves into the user only what is still within the retention by event time', async () => {
    const { store, clock, action } = clocked({ maxActions: 200, retentionSeconds: 3600 });
    const anonymous = { productId: 'shop', userId: 'anon-merge-age' };
    const known = { productId: 'shop', userId: 'user-merge-age' };
    await store.append(anonymous, [action('pricing, 55 min ago', 55), action('sign up, 2 min ago', 2)]);
    clock.now += 10 * 60_000;
    expect(await store.merge(anonymous, known)).toEqual({ kind: 'merged', moved: 1 });
    expect(descriptions(await store.listRecent(known, 10))).toEqual(['sign up, 2 min ago']);
  });
});
