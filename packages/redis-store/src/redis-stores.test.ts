import type { Action, ConversationLink } from '@threadline/core';
import { deleteKeysWithPrefix, testRedisUrl, uniquePrefix } from '@threadline/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, type RedisClient } from './create-redis.js';
import { RedisActivityStore } from './redis-activity-store.js';
import { RedisDeliveryStore } from './redis-delivery-store.js';
import { RedisKeys } from './redis-keys.js';
import { RedisLinkStore } from './redis-link-store.js';
import { RedisNotificationClaims } from './redis-notification-claims.js';
import { RedisSummaryStore } from './redis-summary-store.js';

const prefix = uniquePrefix('store');
const keys = new RedisKeys(prefix);
let redis: RedisClient;

/** An open link of a user of product `shop`, linked now. */
function openLink(conversationId: string, userId: string): ConversationLink {
  return {
    conversationId,
    productId: 'shop',
    userId,
    appId: null,
    sessionId: null,
    conversationCreatedAt: null,
    linkedAt: new Date().toISOString(),
    status: 'open',
  };
}

function action(description: string, at = new Date().toISOString(), extra: Partial<Action> = {}): Action {
  return { at, type: 'click', description, ...extra };
}

beforeAll(() => {
  redis = createRedis(testRedisUrl(), 'worker', () => {});
});
afterAll(async () => {
  await deleteKeysWithPrefix(testRedisUrl(), prefix);
  redis.disconnect();
});

describe('RedisKeys', () => {
  it('keeps hostile ids inside one hash tag and apart from other keys', () => {
    const key = keys.actions('shop', 'evil}{user:1');
    expect(key).toBe(`${prefix}:{u:shop:evil%7D%7Buser%3A1}:actions`);
    expect(key.match(/\{/g)).toHaveLength(1);
    const tag = (k: string) => k.slice(k.indexOf('{') + 1, k.indexOf('}'));
    expect(tag(keys.actions('shop', 'u1'))).toBe(tag(keys.userConversations('shop', 'u1')));
    expect(tag(keys.link('c1'))).toBe(tag(keys.delivery('c1')));
    expect(tag(keys.link('c1'))).toBe(tag(keys.notes('c1')));
  });
});

describe('RedisActivityStore', () => {
  it('stores an event id once within the dedupe window (this bucket or the last), small sets per user', async () => {
    let now = Date.parse('2026-03-02T10:00:00.000Z');
    const store = new RedisActivityStore(
      redis,
      keys,
      { maxActions: 200, retentionSeconds: 86_400, dedupeWindowSeconds: 3600 },
      () => new Date(now),
    );
    const user = { productId: 'shop', userId: 'retrier' };
    const first = await store.append(user, [action('pay'), action('cancel')], { eventIds: ['e-1', 'e-2'] });
    expect(first).toMatchObject({ isNewUser: true });
    expect(first.ids).toHaveLength(2);
    // A retry 50 minutes later, and one in the next bucket: nothing new.
    now += 50 * 60_000;
    expect(await store.append(user, [action('pay'), action('cancel')], { eventIds: ['e-1', 'e-2'] })).toEqual(
      {
        ids: [],
        appendedIndexes: [],
        isNewUser: false,
        conversations: [],
      },
    );
    now += 20 * 60_000;
    const mixed = await store.append(user, [action('pay'), action('new')], { eventIds: ['e-1', 'e-3'] });
    expect(mixed.ids).toHaveLength(1);
    // Which of the given actions was new: the product feed takes exactly that one.
    expect(mixed.appendedIndexes).toEqual([1]);
    // Two windows on, the first ids are forgotten.
    now += 2 * 3600_000;
    expect((await store.append(user, [action('pay')], { eventIds: ['e-1'] })).ids).toHaveLength(1);
    expect((await store.listAfter(user, null, 10)).map((a) => a.description)).toEqual([
      'pay',
      'cancel',
      'new',
      'pay',
    ]);
    const seen = await redis.keys(`${prefix}:{u:shop:retrier}:seen:*`);
    expect(seen.length).toBeGreaterThan(0);
    for (const key of seen) {
      expect(await redis.object('ENCODING', key)).toBe('intset');
      expect(await redis.ttl(key)).toBeLessThanOrEqual(2 * 3600);
    }
  });

  it('appends in order and reads after a cursor', async () => {
    const store = new RedisActivityStore(redis, keys, { maxActions: 200, retentionSeconds: 3600 });
    const user = { productId: 'shop', userId: 'reader' };
    const { ids } = await store.append(user, [
      action('one', undefined, { page: '/a', sessionId: 's1' }),
      action('two'),
      action('three'),
    ]);
    expect(ids).toHaveLength(3);
    const all = await store.listAfter(user, null, 10);
    expect(all.map((a) => a.description)).toEqual(['one', 'two', 'three']);
    expect(all[0]).toMatchObject({ page: '/a', sessionId: 's1', type: 'click' });
    expect((await store.listAfter(user, ids[0]!, 10)).map((a) => a.description)).toEqual(['two', 'three']);
    expect((await store.listAfter(user, ids[0]!, 1)).map((a) => a.description)).toEqual(['two']);
    expect((await store.listRecent(user, 2)).map((a) => a.description)).toEqual(['two', 'three']);
  });

  it('caps the number of actions kept per user', async () => {
    const store = new RedisActivityStore(redis, keys, { maxActions: 10, retentionSeconds: 3600 });
    const user = { productId: 'shop', userId: 'busy' };
    for (let batch = 0; batch < 20; batch += 1) {
      await store.append(
        user,
        Array.from({ length: 10 }, (_, index) => action(`a${batch * 10 + index}`)),
      );
    }
    const kept = await redis.xlen(keys.actions('shop', 'busy'));
    // MAXLEN ~ trims whole stream nodes, so a little more than the cap may stay; never unbounded.
    expect(kept).toBeLessThan(200);
    expect((await store.listRecent(user, 5)).map((a) => a.description)).toEqual([
      'a195',
      'a196',
      'a197',
      'a198',
      'a199',
    ]);
  });

  it('at the cap, a late old event does not evict newer ones; a late one within what is kept is stored', async () => {
    const store = new RedisActivityStore(redis, keys, { maxActions: 10, retentionSeconds: 3600 });
    const user = { productId: 'shop', userId: 'late-at-cap' };
    const second = (offset: number) => new Date(Date.now() - 600_000 + offset * 1000).toISOString();
    await store.append(
      user,
      Array.from({ length: 12 }, (_, index) => action(`t${100 + index}`, second(100 + index))),
    );
    const before = await redis.xlen(keys.actions('shop', 'late-at-cap'));
    // Older than the oldest kept: trimming would take it first, so it is left out like a duplicate.
    const tooOld = await store.append(user, [action('t50', second(50)), action('t105b', second(105))]);
    expect(tooOld.ids).toHaveLength(1);
    expect(tooOld.appendedIndexes).toEqual([1]);
    expect(await redis.xlen(keys.actions('shop', 'late-at-cap'))).toBe(before + 1);
    const recent = (await store.listRecent(user, 20)).map((a) => a.description);
    expect(recent).not.toContain('t50');
    expect(recent).toContain('t105b');
    expect(recent).toContain('t111');
  });

  it('below the cap, a late old event is stored (nothing is evicted for it)', async () => {
    const store = new RedisActivityStore(redis, keys, { maxActions: 10, retentionSeconds: 3600 });
    const user = { productId: 'shop', userId: 'late-below-cap' };
    await store.append(user, [action('new', new Date(Date.now() - 1000).toISOString())]);
    const late = await store.append(user, [action('old', new Date(Date.now() - 60_000).toISOString())]);
    expect(late.ids).toHaveLength(1);
  });

  it('forgets actions older than the retention and expires the key', async () => {
    let now = Date.now();
    const store = new RedisActivityStore(
      redis,
      keys,
      { maxActions: 200, retentionSeconds: 60 },
      () => new Date(now),
    );
    const user = { productId: 'shop', userId: 'old' };
    await store.append(user, [action('old news')]);
    expect(await redis.ttl(keys.actions('shop', 'old'))).toBeGreaterThan(0);
    now += 61_000;
    expect(await store.listRecent(user, 10)).toEqual([]);
    expect(await store.listAfter(user, null, 10)).toEqual([]);
  });

  it('keeps every field and the order of a long batch, also after Redis forgot the script', async () => {
    const store = new RedisActivityStore(redis, keys, { maxActions: 500, retentionSeconds: 3600 });
    const user = { productId: 'shop', userId: 'batch' };
    const batch = Array.from({ length: 120 }, (_, index) =>
      action(`a${index}`, undefined, {
        ...(index % 3 === 0 ? { page: `/p/${index}` } : {}),
        ...(index % 4 === 0 ? { sessionId: `s${index}` } : {}),
        ...(index % 5 === 0 ? { repeat: 2 } : {}),
      }),
    );
    await redis.script('FLUSH');
    const { ids } = await store.append(user, batch);
    expect(ids).toHaveLength(120);
    expect(new Set(ids).size).toBe(120);
    const stored = await store.listAfter(user, null, 500);
    expect(stored.map((a) => a.id)).toEqual(ids);
    expect(stored.map(({ id: _id, ...rest }) => rest)).toEqual(batch);
    expect(await redis.ttl(keys.actions('shop', 'batch'))).toBeGreaterThan(0);
  });

  it('stores any text exactly as written to Redis as UTF-8', async () => {
    const store = new RedisActivityStore(redis, keys, { maxActions: 200, retentionSeconds: 3600 });
    const user = { productId: 'shop', userId: 'unicode' };
    const texts = [
      'quote " backslash \\ slash / \\ud800 as text',
      'control \u0000 \u0001 \u001f \u007f tab\tline\nend',
      'emoji 😀, accents é ü, CJK 漢字, separators \u2028 \u2029',
      '',
    ];
    await store.append(
      user,
      texts.map((text) => action(text, undefined, { page: `/${text}` })),
    );
    await store.append(user, [action('lone \ud83d high'), action('lone \ude00 low'), action('\ude00\ud83d')]);
    const stored = await store.listAfter(user, null, 10);
    expect(stored.map((a) => a.description)).toEqual([
      ...texts,
      'lone \ufffd high',
      'lone \ufffd low',
      '\ufffd\ufffd',
    ]);
    expect(stored.slice(0, 3).map((a) => a.page)).toEqual(texts.slice(0, 3).map((text) => `/${text}`));
  });

  it('moves anonymous actions to the identified user', async () => {
    const store = new RedisActivityStore(redis, keys, { maxActions: 200, retentionSeconds: 3600 });
    const anonymous = { productId: 'shop', userId: 'anon-123' };
    const known = { productId: 'shop', userId: 'user-1' };
    await store.append(anonymous, [action('browsed pricing'), action('clicked sign up')]);
    expect(await store.merge(anonymous, known)).toEqual({ kind: 'merged', moved: 2 });
    expect((await store.listRecent(known, 10)).map((a) => a.description)).toEqual([
      'browsed pricing',
      'clicked sign up',
    ]);
    expect(await store.listRecent(anonymous, 10)).toEqual([]);
  });

  it('remembers whom an anonymous id was merged into, for the retention period', async () => {
    const store = new RedisActivityStore(redis, keys, { maxActions: 200, retentionSeconds: 3600 });
    const anonymous = { productId: 'shop', userId: 'anon-456' };
    const known = { productId: 'shop', userId: 'user-2' };
    expect(await store.identityOf(anonymous)).toEqual({ mergedInto: null, isIdentified: false });
    await store.merge(anonymous, known);
    expect(await store.identityOf(anonymous)).toEqual({ mergedInto: 'user-2', isIdentified: false });
    expect(await store.identityOf(known)).toEqual({ mergedInto: null, isIdentified: true });
    const ttl = await redis.ttl(keys.identifiedAs('shop', 'anon-456'));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(3600);
  });

  it('merges an id at most once: a second merge, into anyone, moves nothing', async () => {
    const store = new RedisActivityStore(redis, keys, { maxActions: 200, retentionSeconds: 3600 });
    const anonymous = { productId: 'shop', userId: 'anon-once' };
    await store.append(anonymous, [action('browsed pricing')]);
    expect(await store.merge(anonymous, { productId: 'shop', userId: 'first' })).toEqual({
      kind: 'merged',
      moved: 1,
    });
    await store.append(anonymous, [action('arrived later')]);
    for (const into of ['second', 'first']) {
      expect(await store.merge(anonymous, { productId: 'shop', userId: into })).toEqual({
        kind: 'already_merged',
      });
    }
    expect((await store.listRecent(anonymous, 10)).map((a) => a.description)).toEqual(['arrived later']);
    expect(await store.listRecent({ productId: 'shop', userId: 'second' }, 10)).toEqual([]);
    expect(await redis.get(keys.identifiedAs('shop', 'anon-once'))).toBe('first');
  });

  it('never merges a known user or a user with a conversation, and keeps their actions', async () => {
    const store = new RedisActivityStore(redis, keys, { maxActions: 200, retentionSeconds: 3600 });
    const links = new RedisLinkStore(redis, keys);
    const attacker = { productId: 'shop', userId: 'attacker' };
    const marked = { productId: 'shop', userId: 'victim-marked' };
    const linked = { productId: 'shop', userId: 'victim-linked' };
    await store.append(marked, [action('paid invoice')], { markIdentified: true });
    await store.append(linked, [action('asked for help')]);
    await links.create(openLink('conv-victim', 'victim-linked'), null);
    expect(await store.merge(marked, attacker)).toEqual({ kind: 'identified' });
    expect(await store.merge(linked, attacker)).toEqual({ kind: 'has_conversation' });
    expect((await store.listRecent(marked, 10)).map((a) => a.description)).toEqual(['paid invoice']);
    expect((await store.listRecent(linked, 10)).map((a) => a.description)).toEqual(['asked for help']);
    expect(await store.listRecent(attacker, 10)).toEqual([]);
    expect(await store.identityOf(marked)).toEqual({ mergedInto: null, isIdentified: true });
    expect(await store.identityOf(linked)).toEqual({ mergedInto: null, isIdentified: true });
    // An event with nothing to describe still marks its id, without creating a stream.
    const quiet = { productId: 'shop', userId: 'victim-quiet' };
    expect(await store.append(quiet, [], { markIdentified: true })).toEqual({
      ids: [],
      isNewUser: false,
      conversations: [],
    });
    expect(await redis.exists(keys.actions('shop', 'victim-quiet'))).toBe(0);
    expect(await store.merge(quiet, attacker)).toEqual({ kind: 'identified' });
    expect(await redis.ttl(keys.identified('shop', 'victim-quiet'))).toBeGreaterThan(3500);
  });

  it('keeps pending actions apart from the history, and a merge moves both in time order', async () => {
    const store = new RedisActivityStore(redis, keys, { maxActions: 200, retentionSeconds: 3600 });
    const anonymous = { productId: 'shop', userId: 'anon-pending' };
    const user = { productId: 'shop', userId: 'user-pending' };
    const at = (second: number) => new Date(Date.now() - 60_000 + second * 1000).toISOString();
    await store.append(anonymous, [action('history one', at(1))]);
    await store.append(anonymous, [action('history two', at(3))]);
    await store.append(anonymous, [action('pending one', at(2))], { pending: true });
    expect((await store.listRecent(anonymous, 10)).map((a) => a.description)).toEqual([
      'history one',
      'history two',
    ]);
    expect(await store.merge(anonymous, user)).toEqual({ kind: 'merged', moved: 3 });
    expect((await store.listRecent(user, 10)).map((a) => a.description)).toEqual([
      'history one',
      'pending one',
      'history two',
    ]);
    expect(await redis.exists(keys.actions('shop', 'anon-pending'))).toBe(0);
    expect(await redis.exists(keys.pendingActions('shop', 'anon-pending'))).toBe(0);
  });

  it('moves the newest actions when there are more than it keeps, and deletes only those', async () => {
    const store = new RedisActivityStore(redis, keys, { maxActions: 3, retentionSeconds: 3600 });
    const anonymous = { productId: 'shop', userId: 'anon-many' };
    const user = { productId: 'shop', userId: 'user-many' };
    const at = (second: number) => new Date(Date.now() - 60_000 + second * 1000).toISOString();
    // MAXLEN ~ trims whole listpack nodes only, so all five stay in the stream.
    await store.append(
      anonymous,
      [1, 2, 3, 4, 5].map((n) => action(`step ${n}`, at(n))),
    );
    expect(await redis.xlen(keys.actions('shop', 'anon-many'))).toBe(5);
    expect(await store.merge(anonymous, user)).toEqual({ kind: 'merged', moved: 3 });
    expect((await store.listRecent(user, 10)).map((a) => a.description)).toEqual([
      'step 3',
      'step 4',
      'step 5',
    ]);
    expect((await store.listAfter(anonymous, null, 10)).map((a) => a.description)).toEqual([
      'step 1',
      'step 2',
    ]);
  });

  it('lets one of two concurrent merges of an id win', async () => {
    const store = new RedisActivityStore(redis, keys, { maxActions: 200, retentionSeconds: 3600 });
    const anonymous = { productId: 'shop', userId: 'anon-race' };
    await store.append(anonymous, [action('browsed pricing')]);
    const outcomes = await Promise.all(
      ['racer-a', 'racer-b'].map((userId) => store.merge(anonymous, { productId: 'shop', userId })),
    );
    expect(outcomes.map((outcome) => outcome.kind).sort()).toEqual(['already_merged', 'merged']);
    const moved = await Promise.all(
      ['racer-a', 'racer-b'].map(
        async (userId) => (await store.listRecent({ productId: 'shop', userId }, 10)).length,
      ),
    );
    expect(moved.sort()).toEqual([0, 1]);
  });

  it('stores the unverified mark in two bytes and reads it back', async () => {
    const store = new RedisActivityStore(redis, keys, { maxActions: 200, retentionSeconds: 3600 });
    const user = { productId: 'shop', userId: 'marked-lines' };
    await store.append(user, [{ ...action('claimed'), verified: false }, action('proved')]);
    const stored = await store.listRecent(user, 10);
    expect(stored.map(({ description, verified }) => ({ description, verified }))).toEqual([
      { description: 'claimed', verified: false },
      { description: 'proved', verified: undefined },
    ]);
    const [claimedFields, provedFields] = (
      await redis.xrange(keys.actions('shop', 'marked-lines'), '-', '+')
    ).map(([, fields]) => fields);
    expect(claimedFields?.slice(-2)).toEqual(['v', '0']);
    expect(provedFields).not.toContain('v');
  });
});

describe('RedisLinkStore', () => {
  const link = {
    conversationId: 'conv-link',
    productId: 'shop',
    userId: 'linked-user',
    appId: 'abc12345',
    sessionId: 's1',
    conversationCreatedAt: 1_760_000_000,
    linkedAt: '2026-11-21T09:00:00.000Z',
    status: 'open' as const,
  };

  it('links once, and the first link wins', async () => {
    const store = new RedisLinkStore(redis, keys);
    expect(await store.create(link, '0-1')).toBe(true);
    expect(await store.create({ ...link, userId: 'someone-else' }, null)).toBe(false);
    expect(await store.get('conv-link')).toEqual({ ...link, contactId: null });
    expect(await store.conversationsOf({ productId: 'shop', userId: 'linked-user' })).toEqual(['conv-link']);
    const delivery = new RedisDeliveryStore(redis, keys);
    expect(await delivery.state('conv-link')).toEqual({
      cursor: '0-1',
      nextNumber: 1,
      writtenThrough: null,
      pending: null,
      catchUp: null,
    });
  });

  it('closing (a 404) ends the link: gone from the user, only a tombstone left', async () => {
    const store = new RedisLinkStore(redis, keys);
    await store.create({ ...link, conversationId: 'conv-closing' }, null);
    await store.close('conv-closing', 'gone');
    expect(await store.get('conv-closing')).toBeNull();
    expect((await store.lifecycle('conv-closing'))?.state).toBe('ended');
    expect(await redis.exists(keys.delivery('conv-closing'))).toBe(0);
    expect(await store.conversationsOf({ productId: 'shop', userId: 'linked-user' })).not.toContain(
      'conv-closing',
    );
  });

  it('records unlinkable conversations for operators', async () => {
    const store = new RedisLinkStore(redis, keys);
    await store.recordUnlinked({
      conversationId: 'conv-lead',
      reason: 'no external_id',
      at: '2026-11-21T09:00:00.000Z',
    });
    const entries = await redis.xrange(keys.unlinked(), '-', '+');
    expect(entries.at(-1)?.[1]).toEqual([
      'conversationId',
      'conv-lead',
      'reason',
      'no external_id',
      'at',
      '2026-11-21T09:00:00.000Z',
    ]);
  });
});

describe('a link’s lifetime (LINK_IDLE_DAYS)', () => {
  it('gives every key of the conversation the link’s lifetime, renewed by a lifecycle event', async () => {
    const day = 86_400_000;
    const store = new RedisLinkStore(redis, keys, { idleDays: 1 });
    const delivery = new RedisDeliveryStore(redis, keys);
    const summaries = new RedisSummaryStore(redis, keys);
    const link = {
      conversationId: 'conv-ttl',
      productId: 'shop',
      userId: 'linked-user',
      appId: null,
      sessionId: null,
      conversationCreatedAt: 1_760_000_000,
      linkedAt: '2026-11-21T09:00:00.000Z',
      status: 'open' as const,
      contactId: 'contact-ttl',
    };
    await store.create(link, null);
    const pending = {
      reference: 'tl-1-1',
      html: '<p>x</p>',
      firstNumber: 1,
      lastNumber: 1,
      lastActionId: '1-0',
    };
    await delivery.setPending('conv-ttl', pending);
    await delivery.commit('conv-ttl', pending, 'part-1', new Date().toISOString());
    await summaries.markRedacted('conv-ttl', 'part-0');
    const conversationKeys = await redis.keys(`${prefix}:{c:conv-ttl}:*`);
    expect(conversationKeys.length).toBe(5);
    for (const key of [
      ...conversationKeys,
      keys.userConversations('shop', 'linked-user'),
      keys.contactConversations('contact-ttl'),
    ]) {
      const ttl = await redis.pttl(key);
      expect(ttl, key).toBeGreaterThan(day - 60_000);
      expect(ttl, key).toBeLessThanOrEqual(day);
    }
    // Time passes; a reply renews every key together.
    for (const key of conversationKeys) await redis.pexpire(key, 1000);
    const current = await store.lifecycle('conv-ttl');
    expect(await store.setLifecycle('conv-ttl', current, { state: 'open', at: (current?.at ?? 0) + 1 })).toBe(
      true,
    );
    for (const key of conversationKeys) expect(await redis.pttl(key), key).toBeGreaterThan(day - 60_000);
    // A stale compare-and-set writes nothing.
    expect(await store.setLifecycle('conv-ttl', current, { state: 'closed', at: 1 })).toBe(false);
  });
});

describe('RedisDeliveryStore', () => {
  it('commits a pending note atomically and advances the numbering', async () => {
    const store = new RedisDeliveryStore(redis, keys);
    const pending = {
      reference: 'tl-c-1-3',
      html: '<p>x</p>',
      firstNumber: 1,
      lastNumber: 3,
      lastActionId: '5-0',
      writtenThrough: '2026-11-21T08:59:58.000Z',
    };
    await store.setPending('conv-d', pending);
    expect((await store.state('conv-d')).pending).toEqual(pending);
    await store.commit('conv-d', pending, 'part-9', '2026-11-21T09:00:00.000Z');
    expect(await store.state('conv-d')).toEqual({
      cursor: '5-0',
      nextNumber: 4,
      writtenThrough: '2026-11-21T08:59:58.000Z',
      pending: null,
      catchUp: null,
    });
    expect(await store.notes('conv-d')).toEqual([
      {
        partId: 'part-9',
        reference: 'tl-c-1-3',
        firstNumber: 1,
        lastNumber: 3,
        postedAt: '2026-11-21T09:00:00.000Z',
      },
    ]);
  });

  it('lets one delivery at a time hold a conversation, and only the holder release or extend it', async () => {
    const store = new RedisDeliveryStore(redis, keys);
    const held = await store.lock('conv-lock', 10_000);
    expect(held).not.toBeNull();
    expect(await store.lock('conv-lock', 10_000)).toBeNull();
    expect(await held!.extend(20_000)).toBe(true);
    expect(await redis.pttl(keys.deliveryLock('conv-lock'))).toBeGreaterThan(10_000);
    await held!.release();
    const again = await store.lock('conv-lock', 10_000);
    expect(again).not.toBeNull();
    await held!.release(); // a stale release must not free the new holder's lock
    expect(await held!.extend(20_000)).toBe(false);
    expect(await store.lock('conv-lock', 10_000)).toBeNull();
    await again!.release();
  });
});

describe('RedisNotificationClaims', () => {
  it('claims an id once until released', async () => {
    const claims = new RedisNotificationClaims(redis, keys);
    expect(await claims.claim('notif-1', 60)).toBe(true);
    expect(await claims.claim('notif-1', 60)).toBe(false);
    await claims.extend('notif-1', 3600);
    expect(await redis.ttl(keys.notification('notif-1'))).toBeGreaterThan(60);
    await claims.release('notif-1');
    expect(await claims.claim('notif-1', 60)).toBe(true);
  });
});

function hashTag(key: string): string {
  return key.slice(key.indexOf('{') + 1, key.indexOf('}'));
}

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

  it('appends many users in one call: dedupe per user, kept positions, isNew, conversations, trimming', async () => {
    let now = Date.now();
    const store = new RedisActivityStore(
      redis,
      keys,
      { maxActions: 10, retentionSeconds: 3600, dedupeWindowSeconds: 600 },
      () => new Date(now),
    );
    const links = new RedisLinkStore(redis, keys);
    const ann = { productId: 'shop', userId: 'multi-ann' };
    const bob = { productId: 'shop', userId: 'multi-bob' };
    const eve = { productId: 'shop', userId: 'multi-eve' };
    await links.create(openLink('conv-multi', bob.userId), null);
    await store.append(bob, [action('earlier')], { eventIds: ['b-0'] });

    const first = await store.appendAll([
      // e-2 twice in one request: the second is left out.
      {
        user: ann,
        actions: [action('a1'), action('a2'), action('a2 again'), action('a3')],
        options: { eventIds: ['e-1', 'e-2', 'e-2', undefined] },
      },
      // b-0 was stored by the earlier request.
      { user: bob, actions: [action('b0 retried'), action('b1')], options: { eventIds: ['b-0', 'b-1'] } },
      { user: eve, actions: [], options: { markIdentified: true } },
      // The same event ids for another user are that user's own.
      {
        user: { productId: 'shop', userId: 'multi-pending' },
        actions: [action('p1')],
        options: { eventIds: ['e-1'], pending: true },
      },
    ]);
    expect(first).toEqual([
      {
        ids: [expect.any(String), expect.any(String), expect.any(String)],
        appendedIndexes: [0, 1, 3],
        isNewUser: true,
        conversations: [],
      },
      { ids: [expect.any(String)], appendedIndexes: [1], isNewUser: false, conversations: ['conv-multi'] },
      { ids: [], isNewUser: false, conversations: [] },
      { ids: [expect.any(String)], isNewUser: true, conversations: [] },
    ]);
    expect((await store.listRecent(ann, 10)).map((a) => a.description)).toEqual(['a1', 'a2', 'a3']);
    expect((await store.listRecent(bob, 10)).map((a) => a.description)).toEqual(['earlier', 'b1']);
    expect(await redis.get(keys.identified('shop', eve.userId))).toBe('1');
    expect(await redis.exists(keys.actions('shop', eve.userId))).toBe(0);

    // One dedupe window later the ids are in the previous bucket: still duplicates.
    now += 600_000;
    const [retried] = await store.appendAll([
      { user: ann, actions: [action('a1 retried'), action('a4')], options: { eventIds: ['e-1', 'e-4'] } },
    ]);
    expect(retried).toMatchObject({ appendedIndexes: [1], isNewUser: false });

    // Each user's stream stays capped when many users share a call.
    for (let round = 0; round < 30; round += 1) {
      await store.appendAll(
        [ann, bob].map((user) => ({
          user,
          actions: Array.from({ length: 10 }, (_, index) => action(`${user.userId}-${round * 10 + index}`)),
        })),
      );
    }
    for (const user of [ann, bob]) {
      // MAXLEN ~ trims whole stream nodes, so a little more than the cap may stay; never unbounded.
      expect(await redis.xlen(keys.actions('shop', user.userId))).toBeLessThan(200);
      expect((await store.listRecent(user, 2)).map((a) => a.description)).toEqual([
        `${user.userId}-298`,
        `${user.userId}-299`,
      ]);
    }
  });

  it('appends each user’s actions in one pipeline and answers each user’s linked conversations', async () => {
    const store = new RedisActivityStore(redis, keys, { maxActions: 200, retentionSeconds: 3600 });
    const links = new RedisLinkStore(redis, keys);
    const linked = { productId: 'shop', userId: 'with-conversations' };
    for (const conversationId of ['conv-a', 'conv-b']) {
      await links.create(openLink(conversationId, linked.userId), null);
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
