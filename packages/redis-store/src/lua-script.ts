import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Cluster } from 'ioredis';
import type { RedisClient } from './create-redis.js';

function isMissingScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

/**
 * A Lua script run by its SHA-1 once Redis knows it (the usual case), by its text when Redis says it
 * does not (after a restart, or on a cluster node that has not seen it): hot paths then do not send
 * and hash the whole script on every call.
 */
export class LuaScript {
  private readonly sha: string;

  constructor(private readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(
    redis: RedisClient,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!isMissingScript(error)) throw error;
      return await redis.eval(this.source, keys.length, ...keys, ...args);
    }
  }

  /**
   * Runs the script once per call in one pipeline (one write, one read), by SHA-1; the calls Redis
   * answered NOSCRIPT (it did not know the script) run again by text, in a second pipeline. Answers
   * are in call order; a call's other error rejects the whole. On Redis Cluster, where one pipeline
   * must stay on one node, the calls go out together one by one (ioredis still writes them without
   * waiting for each answer).
   */
  async runInPipeline(redis: RedisClient, calls: readonly ScriptCall[]): Promise<unknown[]> {
    if (calls.length === 0) return [];
    // One call (a request of one user, the usual browser case): no pipeline object to build.
    if (calls.length === 1) {
      const [call] = calls as [ScriptCall];
      return [await this.run(redis, call.keys, call.args)];
    }
    if (redis instanceof Cluster)
      return Promise.all(calls.map(({ keys, args }) => this.run(redis, keys, args)));
    const first = await pipelined(redis, calls, (pipeline, { keys, args }) =>
      pipeline.evalsha(this.sha, keys.length, ...keys, ...args),
    );
    const missing = calls.flatMap((_call, index) => (isMissingScript(first[index]?.[0]) ? [index] : []));
    if (missing.length > 0) {
      const again = await pipelined(
        redis,
        missing.map((index) => calls[index] as ScriptCall),
        (pipeline, { keys, args }) => pipeline.eval(this.source, keys.length, ...keys, ...args),
      );
      missing.forEach((index, position) => {
        first[index] = again[position] as [Error | null, unknown];
      });
    }
    return first.map(([error, result]) => {
      if (error) throw error;
      return result;
    });
  }
}

/** One run of a script: its keys and arguments. */
export interface ScriptCall {
  keys: string[];
  args: (string | number)[];
}

type Pipeline = ReturnType<RedisClient['pipeline']>;

async function pipelined(
  redis: RedisClient,
  calls: readonly ScriptCall[],
  add: (pipeline: Pipeline, call: ScriptCall) => void,
): Promise<[Error | null, unknown][]> {
  const pipeline = redis.pipeline();
  for (const call of calls) add(pipeline, call);
  return ((await pipeline.exec()) ?? []) as [Error | null, unknown][];
}

/** A value a script's KEYS or ARGV name takes: one, or a list for a `[n...]` tail. */
type Values<Names extends string, Value> = { readonly [Name in Names]: Value | readonly Value[] };

/** A script of a `.lua` file, called with named KEYS and ARGV, answering a named table. */
export interface LuaScriptRunner<Keys extends string, Args extends string, Result> {
  /** The names the file's header gives, in KEYS and ARGV order (the tail's name last). */
  readonly keyNames: readonly string[];
  readonly argNames: readonly string[];
  readonly returnNames: readonly string[];
  run(redis: RedisClient, keys: Values<Keys, string>, args: Values<Args, string | number>): Promise<Result>;
}

interface Slot {
  name: string;
  /** `KEYS[n...]`: every value from n on, a list. */
  isRest: boolean;
}

const slotLine = /^--\s+(KEYS|ARGV)\[(\d+)(\.\.\.)?\]\s+([A-Za-z][A-Za-z0-9]*):/;
const returnLine = /^--\s+RETURNS\s+([A-Za-z][A-Za-z0-9]*):/;

/** Reads the header: `-- KEYS[1] name: …`, `-- KEYS[2...] name: …`, `-- ARGV[1] name: …`, `-- RETURNS name: …`. */
export function parseLuaHeader(
  source: string,
  file = 'script',
): { keys: Slot[]; args: Slot[]; returns: string[] } {
  const keys: Slot[] = [];
  const args: Slot[] = [];
  const returns: string[] = [];
  for (const line of source.split('\n')) {
    if (!line.startsWith('--')) break;
    const slot = slotLine.exec(line);
    if (slot) {
      const list = slot[1] === 'KEYS' ? keys : args;
      const position = Number(slot[2]);
      if (position !== list.length + 1 || list.at(-1)?.isRest)
        throw new Error(`${file}: ${slot[1]}[${position}] is out of order`);
      list.push({ name: slot[4] as string, isRest: slot[3] !== undefined });
      continue;
    }
    const named = returnLine.exec(line);
    if (named) returns.push(named[1] as string);
  }
  if (returns.length === 0) throw new Error(`${file}: the header names no RETURNS`);
  return { keys, args, returns };
}

function positional<Value>(slots: readonly Slot[], values: Values<string, Value>, file: string): Value[] {
  const list: Value[] = [];
  for (const slot of slots) {
    const value = values[slot.name];
    if (value === undefined) throw new Error(`${file}: no value for ${slot.name}`);
    if (Array.isArray(value)) {
      if (!slot.isRest) throw new Error(`${file}: ${slot.name} takes one value`);
      list.push(...(value as Value[]));
    } else list.push(value as Value);
  }
  return list;
}

/** Turns a script's `{ 'name', value, 'name', value, … }` answer into an object, checked against RETURNS. */
function named(answer: unknown, returns: ReadonlySet<string>, file: string): Record<string, unknown> {
  if (!Array.isArray(answer) || answer.length % 2 !== 0)
    throw new Error(`${file}: answered ${JSON.stringify(answer)}, not name/value pairs`);
  const result: Record<string, unknown> = {};
  for (let index = 0; index < answer.length; index += 2) {
    const name = answer[index] as string;
    if (!returns.has(name)) throw new Error(`${file}: answered ${name}, which its header does not name`);
    result[name] = answer[index + 1];
  }
  return result;
}

/**
 * Loads a `.lua` file once (at module load, next to its caller:
 * `defineLuaScript<'lock', 'token', { released: number }>(new URL('./release-lock.lua', import.meta.url))`).
 * Its header names every KEY and ARGV and what it RETURNS; a call passes them by name and gets the
 * named answer back (the script ends with `return { 'released', n }`). Runs by SHA-1 like `LuaScript`.
 */
export function defineLuaScript<Keys extends string, Args extends string, Result>(
  file: URL,
): LuaScriptRunner<Keys, Args, Result> {
  const source = readFileSync(file, 'utf8');
  const name = file.pathname.split('/').at(-1) ?? 'script';
  const header = parseLuaHeader(source, name);
  const returns = new Set(header.returns);
  const script = new LuaScript(source);
  return {
    keyNames: header.keys.map((slot) => slot.name),
    argNames: header.args.map((slot) => slot.name),
    returnNames: header.returns,
    async run(redis, keys, args) {
      const answer = await script.run(
        redis,
        positional(header.keys, keys, name),
        positional(header.args, args, name),
      );
      return named(answer, returns, name) as Result;
    },
  };
}
