import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { testRedisUrl, uniquePrefix } from '@threadline/test-helpers';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineLuaScript, LuaScript, parseLuaHeader } from './lua-script.js';

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

describe('defineLuaScript', () => {
  const directory = mkdtempSync(join(tmpdir(), 'threadline-lua-'));
  const file = (name: string, source: string) => {
    writeFileSync(join(directory, name), source);
    return pathToFileURL(join(directory, name));
  };

  it('passes KEYS and ARGV by the names of the header (a [n...] tail as a list) and answers by name', async () => {
    const add = defineLuaScript<'counter' | 'others', 'by', { total: number; touched: number }>(
      file(
        'add.lua',
        [
          `-- ${prefix}: adds to a counter`,
          '-- KEYS[1] counter: the counter',
          '-- KEYS[2...] others: keys counted',
          '-- ARGV[1] by: how much',
          '-- RETURNS total: the new value',
          '-- RETURNS touched: how many other keys',
          "return { 'total', redis.call('INCRBY', KEYS[1], ARGV[1]), 'touched', #KEYS - 1 }",
        ].join('\n'),
      ),
    );
    expect([add.keyNames, add.argNames, add.returnNames]).toEqual([
      ['counter', 'others'],
      ['by'],
      ['total', 'touched'],
    ]);
    const keys = { counter: `${prefix}:named`, others: [`${prefix}:a`, `${prefix}:b`] };
    expect(await add.run(redis, keys, { by: 4 })).toEqual({ total: 4, touched: 2 });
    await redis.del(`${prefix}:named`);
  });

  it('refuses a header out of order, a missing value, a list for a single key and an answer it does not name', async () => {
    expect(() => parseLuaHeader('-- KEYS[2] late: x\n-- RETURNS a: x\nreturn {}')).toThrow(/out of order/);
    expect(() => parseLuaHeader('-- KEYS[1] only: x\nreturn {}')).toThrow(/RETURNS/);
    const echo = defineLuaScript<'target', 'value', { value: string }>(
      file(
        'echo.lua',
        "-- KEYS[1] target: x\n-- ARGV[1] value: x\n-- RETURNS value: x\nreturn { 'other', ARGV[1] }",
      ),
    );
    await expect(echo.run(redis, { target: `${prefix}:e` }, {} as never)).rejects.toThrow(
      /no value for value/,
    );
    await expect(echo.run(redis, { target: [`${prefix}:e`] }, { value: 'v' })).rejects.toThrow(
      /takes one value/,
    );
    await expect(echo.run(redis, { target: `${prefix}:e` }, { value: 'v' })).rejects.toThrow(/does not name/);
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

  it('runs a single call without a pipeline, by text when Redis does not know the script yet', async () => {
    const single = new LuaScript(`-- ${prefix} single\nreturn redis.call('INCRBY', KEYS[1], ARGV[1])`);
    expect(await single.runInPipeline(redis, [{ keys: [`${prefix}:single`], args: [4] }])).toEqual([4]);
    expect(await single.runInPipeline(redis, [{ keys: [`${prefix}:single`], args: [1] }])).toEqual([5]);
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
