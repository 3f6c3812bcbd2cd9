import { deleteKeysWithPrefix, testRedisUrl, uniquePrefix } from '@threadline/test-helpers';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineLuaScript } from '../lua-script.js';

const prefix = uniquePrefix('lua-files');
let redis: Redis;
beforeAll(() => {
  redis = new Redis(testRedisUrl());
});
afterAll(async () => {
  await deleteKeysWithPrefix(testRedisUrl(), prefix);
  redis.disconnect();
});

const script = (file: string) =>
  defineLuaScript<string, string, Record<string, unknown>>(new URL(file, import.meta.url));
const key = (name: string) => `${prefix}:${name}`;

describe('each Lua file, run by name', () => {
  it('release-lock.lua frees only its holder’s lock', async () => {
    const release = script('./release-lock.lua');
    await redis.set(key('lock-a'), 'mine');
    expect(await release.run(redis, { lock: key('lock-a') }, { token: 'theirs' })).toEqual({ released: 0 });
    expect(await redis.get(key('lock-a'))).toBe('mine');
    expect(await release.run(redis, { lock: key('lock-a') }, { token: 'mine' })).toEqual({ released: 1 });
    expect(await redis.exists(key('lock-a'))).toBe(0);
  });

  it('extend-lock.lua extends only its holder’s lock', async () => {
    const extend = script('./extend-lock.lua');
    await redis.set(key('lock-b'), 'mine', 'PX', 1000);
    expect(await extend.run(redis, { lock: key('lock-b') }, { token: 'theirs', ttlMs: 60_000 })).toEqual({
      extended: 0,
    });
    expect(await redis.pttl(key('lock-b'))).toBeLessThanOrEqual(1000);
    expect(await extend.run(redis, { lock: key('lock-b') }, { token: 'mine', ttlMs: 60_000 })).toEqual({
      extended: 1,
    });
    expect(await redis.pttl(key('lock-b'))).toBeGreaterThan(50_000);
  });

  it('follow-link-lifetime.lua gives existing keys the link’s TTL, a day without a link, nothing to a link that never expires', async () => {
    const follow = script('./follow-link-lifetime.lua');
    await redis.set(key('link'), 'x', 'PX', 90_000);
    await redis.set(key('follower'), 'x');
    const args = { orphanTtlMs: 86_400_000 };
    expect(
      await follow.run(
        redis,
        { link: key('link'), conversationKeys: [key('follower'), key('absent')] },
        args,
      ),
    ).toEqual({ followed: 1 });
    expect(await redis.pttl(key('follower'))).toBeGreaterThan(80_000);
    expect(await redis.pttl(key('follower'))).toBeLessThanOrEqual(90_000);
    expect(await redis.exists(key('absent'))).toBe(0);
    await redis.set(key('orphan'), 'x');
    await follow.run(redis, { link: key('no-link'), conversationKeys: [key('orphan')] }, args);
    expect(await redis.pttl(key('orphan'))).toBeGreaterThan(86_000_000);
    await redis.set(key('forever-link'), 'x');
    await redis.set(key('kept'), 'x');
    expect(
      await follow.run(redis, { link: key('forever-link'), conversationKeys: [key('kept')] }, args),
    ).toEqual({ followed: 0 });
    expect(await redis.pttl(key('kept'))).toBe(-1);
  });

  it('commit-note.lua advances the cursor, clears pending (and the catch-up mark), appends the note', async () => {
    const commit = script('./commit-note.lua');
    await redis.hset(key('delivery'), 'cursor', '1-0', 'nextNumber', '1', 'pending', '{}', 'catchUp', '{}');
    await redis.set(key('commit-link'), 'x', 'PX', 90_000);
    const answer = await commit.run(
      redis,
      { delivery: key('delivery'), notes: key('notes'), link: key('commit-link') },
      {
        cursor: '5-0',
        nextNumber: '4',
        note: '{"partId":"p"}',
        clearsCatchUp: '1',
        orphanTtlMs: 1000,
        writtenThrough: '2026-11-21T09:00:03.000Z',
      },
    );
    expect(answer).toEqual({ committed: 1 });
    expect(await redis.hgetall(key('delivery'))).toEqual({
      cursor: '5-0',
      nextNumber: '4',
      writtenThrough: '2026-11-21T09:00:03.000Z',
    });
    expect(await redis.lrange(key('notes'), 0, -1)).toEqual(['{"partId":"p"}']);
    expect(await redis.pttl(key('notes'))).toBeGreaterThan(80_000);
  });

  it('create-link-once.lua links once: the second call changes nothing', async () => {
    const create = script('./create-link-once.lua');
    const keys = { link: key('l'), delivery: key('d'), lifecycle: key('c'), awaiting: key('w') };
    await redis.hset(key('w'), 'contactId', 'k');
    const args = { fields: '{"userId":"u1"}', cursor: '3-0', ttlMs: 60_000, at: '100' };
    expect(await create.run(redis, keys, args)).toEqual({ created: 1 });
    expect(await create.run(redis, keys, { ...args, fields: '{"userId":"u2"}' })).toEqual({ created: 0 });
    expect(await redis.hgetall(key('l'))).toEqual({ userId: 'u1' });
    expect(await redis.hgetall(key('d'))).toEqual({ cursor: '3-0', nextNumber: '1' });
    expect(await redis.hgetall(key('c'))).toEqual({ state: 'open', at: '100' });
    expect(await redis.exists(key('w'))).toBe(0);
  });

  it('set-lifecycle-if-unchanged.lua sets the next state only over the expected one', async () => {
    const setLifecycle = script('./set-lifecycle-if-unchanged.lua');
    await redis.hset(key('life'), 'state', 'open', 'at', '100');
    await redis.hset(key('life-delivery'), 'cursor', '1-0');
    const keys = { lifecycle: key('life'), delivery: key('life-delivery'), others: [key('life-other')] };
    const next = { state: 'open', at: '200', catchUp: '{"from":"closed"}', ttlMs: 60_000 };
    expect(
      await setLifecycle.run(redis, keys, { ...next, expectedState: 'closed', expectedAt: '100' }),
    ).toEqual({ changed: 0 });
    expect(
      await setLifecycle.run(redis, keys, { ...next, expectedState: 'open', expectedAt: '100' }),
    ).toEqual({ changed: 1 });
    expect(await redis.hgetall(key('life'))).toEqual({ state: 'open', at: '200' });
    expect(await redis.hget(key('life-delivery'), 'catchUp')).toBe('{"from":"closed"}');
    expect(await redis.pttl(key('life'))).toBeGreaterThan(50_000);
  });

  it('end-conversation.lua deletes the keys and leaves a tombstone naming whose it was', async () => {
    const end = script('./end-conversation.lua');
    await redis.hset(key('end-life'), 'state', 'open', 'at', '1');
    await redis.set(key('end-link'), 'x');
    const answer = await end.run(
      redis,
      { lifecycle: key('end-life'), others: [key('end-link')] },
      { at: '300', reason: 'deleted', tombstoneMs: 60_000, productId: 'p', userId: 'u', conversationId: 'c' },
    );
    expect(answer).toEqual({ ended: 1 });
    expect(await redis.exists(key('end-link'))).toBe(0);
    expect(await redis.hgetall(key('end-life'))).toEqual({
      state: 'ended',
      at: '300',
      reason: 'deleted',
      productId: 'p',
      userId: 'u',
      conversationId: 'c',
    });
  });

  it('claim-merge.lua claims an id once and answers what it holds; refuses an identified id or one with a conversation', async () => {
    const claim = script('./claim-merge.lua');
    await redis.xadd(key('anon-actions'), '5-0', 't', 'pageview');
    const keys = {
      history: key('anon-actions'),
      pending: key('anon-pending'),
      identifiedAs: key('anon-identified-as'),
      identified: key('anon-identified'),
      conversations: key('anon-conversations'),
    };
    const args = { into: 'user-1', retentionSeconds: 60, oldestKeptId: '0', maxEntries: 100 };
    expect(await claim.run(redis, keys, args)).toEqual({
      outcome: 'merged',
      actions: [['5-0', ['t', 'pageview']]],
      pending: [],
    });
    expect(await redis.get(key('anon-identified-as'))).toBe('user-1');
    expect(await claim.run(redis, keys, { ...args, into: 'user-2' })).toEqual({ outcome: 'already_merged' });
    await redis.sadd(key('other-conversations'), 'c1');
    expect(
      await claim.run(
        redis,
        { ...keys, identifiedAs: key('fresh'), conversations: key('other-conversations') },
        args,
      ),
    ).toEqual({ outcome: 'has_conversation' });
    await redis.set(key('other-identified'), '1');
    expect(
      await claim.run(
        redis,
        { ...keys, identifiedAs: key('fresh'), identified: key('other-identified') },
        args,
      ),
    ).toEqual({ outcome: 'identified' });
  });

  it('delete-copied.lua deletes exactly the copied entries, and the stream once empty', async () => {
    const deleteCopied = script('./delete-copied.lua');
    for (const id of ['1-0', '2-0', '3-0']) await redis.xadd(key('copied'), id, 't', id);
    expect(await deleteCopied.run(redis, { stream: key('copied') }, { ids: ['1-0', '2-0'] })).toEqual({
      deleted: 2,
    });
    expect((await redis.xrange(key('copied'), '-', '+')).map(([id]) => id)).toEqual(['3-0']);
    const many = Array.from({ length: 2500 }, (_, index) => `${index + 10}-0`);
    for (const id of many) await redis.xadd(key('copied'), id, 't', 'x');
    expect(await deleteCopied.run(redis, { stream: key('copied') }, { ids: ['3-0', ...many] })).toEqual({
      deleted: 2501,
    });
    expect(await redis.exists(key('copied'))).toBe(0);
  });
});
