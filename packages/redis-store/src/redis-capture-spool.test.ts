import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { SpooledCopy } from '@threadline/core';
import { deleteKeysWithPrefix, testRedisUrl, uniquePrefix } from '@threadline/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, type RedisClient } from './create-redis.js';
import { RedisCaptureSpool } from './redis-capture-spool.js';
import { RedisKeys } from './redis-keys.js';

let redis: RedisClient;
const prefixes: string[] = [];

function newSpool(): RedisCaptureSpool {
  const prefix = uniquePrefix('spool');
  prefixes.push(prefix);
  return new RedisCaptureSpool(redis, new RedisKeys(prefix));
}

const copy = (body: Uint8Array, extra: Partial<SpooledCopy> = {}): SpooledCopy => ({
  source: 'posthog',
  method: 'POST',
  path: '/e/',
  query: '?compression=gzip-js&ver=1.434.18',
  contentType: 'text/plain',
  client: '203.0.113.7',
  receivedAt: 1_764_650_000_123,
  body,
  ...extra,
});

beforeAll(() => {
  redis = createRedis(testRedisUrl(), 'worker', () => {});
});
afterAll(async () => {
  for (const prefix of prefixes) await deleteKeysWithPrefix(testRedisUrl(), prefix);
  redis.disconnect();
});

describe('RedisCaptureSpool', () => {
  it('gives back the bytes exactly as added (gzip, any byte value) with the request facts, once', async () => {
    const spool = newSpool();
    const gzip = gzipSync(JSON.stringify([{ event: '$pageview', uuid: 'u1' }]));
    const binary = randomBytes(4096);
    await spool.add(copy(gzip));
    await spool.add(
      copy(binary, {
        source: 'segment',
        path: '/segment/v1/b',
        query: '',
        contentType: undefined,
        contentEncoding: 'gzip',
        authorizedAs: 'server',
      }),
    );
    expect(await spool.backlog()).toEqual({ waiting: 2, inFlight: 0 });
    const taken = await spool.take('a', 10, 100);
    expect(taken).toHaveLength(2);
    const [first, second] = taken;
    expect(Buffer.from(first?.copy.body ?? []).equals(gzip)).toBe(true);
    expect(first?.copy).toMatchObject({ ...copy(gzip), body: expect.anything(), authorizedAs: undefined });
    expect(first?.deliveries).toBe(1);
    expect(Buffer.from(second?.copy.body ?? []).equals(binary)).toBe(true);
    expect(second?.copy).toMatchObject({
      source: 'segment',
      path: '/segment/v1/b',
      query: '',
      contentType: undefined,
      contentEncoding: 'gzip',
      authorizedAs: 'server',
    });
    expect(await spool.backlog()).toEqual({ waiting: 0, inFlight: 2 });
    // Taken entries are not handed out again to a reader of new ones.
    expect(await spool.take('b', 10, 50)).toEqual([]);
    await spool.done(taken.map((entry) => entry.id));
    expect(await spool.backlog()).toEqual({ waiting: 0, inFlight: 0 });
    expect((await spool.size()).entries).toBe(0);
  });

  it("hands a dead consumer's entries to another once idle, counting the hand-outs", async () => {
    const spool = newSpool();
    await spool.add(copy(Buffer.from('{"batch":[]}')));
    const [held] = await spool.take('dies', 10, 100);
    expect(await spool.reclaim('survivor', 60_000, 10)).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 120));
    const reclaimed = await spool.reclaim('survivor', 100, 10);
    expect(reclaimed.map((entry) => entry.id)).toEqual([held?.id]);
    expect(reclaimed[0]?.deliveries).toBe(2);
    expect(Buffer.from(reclaimed[0]?.copy.body ?? []).toString()).toBe('{"batch":[]}');
    await spool.done([held?.id ?? '']);
    expect(await spool.backlog()).toEqual({ waiting: 0, inFlight: 0 });
  });

  it('takes entries added before its group existed, and makes the group again after the stream is deleted', async () => {
    const spool = newSpool();
    await spool.add(copy(Buffer.from('before')));
    const [early] = await spool.take('a', 10, 100);
    expect(Buffer.from(early?.copy.body ?? []).toString()).toBe('before');
    await deleteKeysWithPrefix(testRedisUrl(), prefixes.at(-1) ?? '');
    await spool.add(copy(Buffer.from('after')));
    const [late] = await spool.take('a', 10, 100);
    expect(Buffer.from(late?.copy.body ?? []).toString()).toBe('after');
  });

  it('measures what it holds for the bound', async () => {
    const spool = newSpool();
    for (let index = 0; index < 20; index += 1) await spool.add(copy(randomBytes(10_000)));
    const size = await spool.size();
    expect(size.entries).toBe(20);
    expect(size.bytes).toBeGreaterThan(200_000);
  });
});
