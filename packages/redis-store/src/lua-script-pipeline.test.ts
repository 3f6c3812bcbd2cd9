import { createHash } from 'node:crypto';
import { testRedisUrl, uniquePrefix } from '@threadline/test-helpers';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LuaScript } from './lua-script.js';

let redis: Redis;
const prefix = uniquePrefix('lua-pipeline');
beforeAll(() => {
  redis = new Redis(testRedisUrl());
});
afterAll(async () => {
  await redis.del(`${prefix}:a`, `${prefix}:b`);
  redis.disconnect();
});

describe('LuaScript.runInPipeline', () => {
  // A text no Redis has seen (it names this run's prefix), as after a restart or on a new node.
  const source = `-- ${prefix}\nreturn redis.call('INCRBY', KEYS[1], ARGV[1])`;
  const sha = createHash('sha1').update(source).digest('hex');
  const script = new LuaScript(source);

  it('runs every call in order, by text the first time and by hash after', async () => {
    expect(await redis.script('EXISTS', sha)).toEqual([0]);
    const calls = [
      { keys: [`${prefix}:a`], args: [2] },
      { keys: [`${prefix}:b`], args: [5] },
      { keys: [`${prefix}:a`], args: [3] },
    ];
    expect(await script.runInPipeline(redis, calls)).toEqual([2, 5, 5]);
    expect(await redis.script('EXISTS', sha)).toEqual([1]);
    expect(await script.runInPipeline(redis, calls)).toEqual([7, 10, 10]);
    expect(await script.runInPipeline(redis, [])).toEqual([]);
  });

  it('rejects with a call’s own error', async () => {
    await expect(
      script.runInPipeline(redis, [
        { keys: [`${prefix}:a`], args: [1] },
        { keys: [`${prefix}:b`], args: ['not a number'] },
      ]),
    ).rejects.toThrow(/integer/);
  });
});
