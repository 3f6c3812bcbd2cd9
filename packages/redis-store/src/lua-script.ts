import { createHash } from 'node:crypto';
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

  async run(redis: RedisClient, keys: string[], args: (string | number)[]): Promise<unknown> {
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
