import type { PendingSummary, SummaryRecord } from '@threadline/core';
import { deleteKeysWithPrefix, testRedisUrl, uniquePrefix } from '@threadline/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, type RedisClient } from './create-redis.js';
import { RedisKeys } from './redis-keys.js';
import { RedisSummaryStore } from './redis-summary-store.js';

const prefix = uniquePrefix('summary-store');
const keys = new RedisKeys(prefix);
let redis: RedisClient;
let store: RedisSummaryStore;

beforeAll(() => {
  redis = createRedis(testRedisUrl(), 'worker', () => {});
  store = new RedisSummaryStore(redis, keys);
});
afterAll(async () => {
  await deleteKeysWithPrefix(testRedisUrl(), prefix);
  redis.disconnect();
});

const pending: PendingSummary = {
  reference: 'tl-c1-summary-1-6',
  html: '<p>summary</p>',
  firstNumber: 1,
  lastNumber: 6,
  writer: 'extractive',
  lines: [{ number: 1, text: 'Viewed /a' }],
  replaces: ['p1', 'p2', 'p3'],
  partId: null,
};

describe('RedisSummaryStore', () => {
  it('keeps every summary key of a conversation in its hash tag', () => {
    const tag = (key: string) => key.slice(key.indexOf('{'), key.indexOf('}') + 1);
    for (const key of [keys.summary('c:1'), keys.summaryRedacted('c:1'), keys.summaryLock('c:1')])
      expect(tag(key)).toBe(tag(keys.notes('c:1')));
  });

  it('records pending → posted → redacted one by one → current, atomically at the end', async () => {
    expect(await store.state('c1')).toEqual({ current: null, pending: null, redacted: [] });
    await store.setPending('c1', pending);
    await store.setPending('c1', { ...pending, partId: 's1' });
    await store.markRedacted('c1', 'p1');
    await store.markRedacted('c1', 'p1');
    await store.markRedacted('c1', 'p2');
    const state = await store.state('c1');
    expect(state.pending?.partId).toBe('s1');
    expect([...state.redacted].sort()).toEqual(['p1', 'p2']);

    const record: SummaryRecord = {
      partId: 's1',
      reference: pending.reference,
      firstNumber: 1,
      lastNumber: 6,
      writer: 'extractive',
      postedAt: '2026-01-01T00:00:00.000Z',
      lines: pending.lines,
    };
    await store.finish('c1', record);
    expect(await store.state('c1')).toEqual({ current: record, pending: null, redacted: [] });
  });

  it('lets one holder at a time take the summary lock', async () => {
    const lock = await store.lock('c2', 5000);
    expect(lock).not.toBeNull();
    expect(await store.lock('c2', 5000)).toBeNull();
    expect(await lock?.extend(5000)).toBe(true);
    await lock?.release();
    const again = await store.lock('c2', 5000);
    expect(again).not.toBeNull();
    await again?.release();
  });
});
