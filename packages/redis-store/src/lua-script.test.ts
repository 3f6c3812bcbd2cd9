import { createHash } from 'node:crypto';
import { testRedisUrl, uniquePrefix } from '@threadline/test-helpers';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LuaScript } from './lua-script.js';

let redis: Redis;
const prefix = uniquePrefix('lua');
beforeAll(() => {
  redis = new Redis(testRedisUrl());
});
afterAll(async () => {
  await redis.del(`${prefix}:counter`, `${prefix}:a`, `${prefix}:b`);
  redis.disconnect();
});

describe('LuaScript', () => {
  // A text no Redis has seen (it names this run's prefix), as after a restart or on a new node.
  const source = `-- ${prefix}\nreturn redis.call('INCRBY', KEYS[1], ARGV[1])`;
  const sha = createHash('sha1').update(source).digest('hex');
  const script = new LuaScript(source);

  it('runs by its text when Redis does not know it, then by its hash', async () => {
    expect(await redis.script('EXISTS', sha)).toEqual([0]);
    expect(await script.run(redis, [`${prefix}:counter`], [2])).toBe(2);
    expect(await redis.script('EXISTS', sha)).toEqual([1]);
    expect(await script.run(redis, [`${prefix}:counter`], [3])).toBe(5);
  });

  it('passes other errors on instead of retrying them', async () => {
    await expect(script.run(redis, [`${prefix}:counter`], ['not a number'])).rejects.toThrow(/integer/);
  });
});

describe('LuaScript.runInPipeline', () => {
  // A text no Redis has seen (it names this run's prefix), as after a restart or on a new node.
  const source = `-- ${prefix} pipeline\nreturn redis.call('INCRBY', KEYS[1], ARGV[1])`;
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
