/**
 * The two servers `bench/capture.ts` compares, each started in a process of its own: the real API
 * (buildServer + compose, as main.ts wires it) and a bare Fastify route that only parses the same
 * JSON. Lives here so it resolves the API's own dependencies and is typechecked with it.
 */
import type { AddressInfo } from 'node:net';
import { loadConfig } from '@threadline/config';
import { createLogger } from '@threadline/observability';
import { RedisKeys } from '@threadline/redis-store';
import Fastify, { type FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { buildServer } from '../src/build-server.js';
import { compose } from '../src/compose.js';

export interface BenchTarget {
  url: string;
  close(): Promise<void>;
}

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

/** The real API on a key prefix of its own, logging nothing. */
export async function startCaptureApi(options: {
  redisUrl: string;
  prefix: string;
  apiKey: string;
  /** Turns identity checking on (`CAPTURE_IDENTITY=require`, the default with a secret). */
  identitySecret?: string;
}): Promise<BenchTarget> {
  const result = loadConfig({
    CAPTURE_API_KEY: options.apiKey,
    // The load generator stands for many clients on one address: the per-IP limits are lifted so they
    // never refuse, while their Redis calls still run on every request.
    CAPTURE_IP_EVENTS_PER_MINUTE: '10000000',
    CAPTURE_IP_NEW_USERS_PER_HOUR: '10000000',
    CAPTURE_MAX_USERS_PER_REQUEST: '1000',
    REDIS_URL: options.redisUrl,
    THREADLINE_PREFIX: options.prefix,
    LOG_LEVEL: 'silent',
    ...(options.identitySecret ? { INTERCOM_IDENTITY_SECRET: options.identitySecret } : {}),
  });
  if (!result.ok) throw new Error(result.problems.join('\n'));
  const composed = await compose(result.config, createLogger({ level: 'silent' }));
  const { app } = await buildServer(composed.deps);
  const url = await listen(app);
  return {
    url,
    async close() {
      await app.close();
      await composed.close();
    },
  };
}

/** The baseline: Fastify's JSON parser and a constant answer, nothing else, on the given paths. */
export async function startBareRoute(paths: readonly string[] = ['/e/', '/batch/']): Promise<BenchTarget> {
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
  for (const path of paths) {
    app.post(path, async (request) => ({
      status: 1,
      events: Array.isArray(request.body) ? request.body.length : 1,
    }));
  }
  const url = await listen(app);
  return { url, close: () => app.close() };
}

/**
 * Total `MEMORY USAGE` of every action stream under the prefix, how many actions they hold, and what
 * the users' other capture keys (dedupe sets, identified markers) add.
 */
export async function measureActionStreams(
  redisUrl: string,
  prefix: string,
): Promise<{ streams: number; actions: number; bytes: number; otherUserKeyBytes: number }> {
  const redis = new Redis(redisUrl);
  const pattern = new RedisKeys(prefix).actions('*', '*');
  let streams = 0;
  let actions = 0;
  let bytes = 0;
  let otherUserKeyBytes = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) {
        streams += 1;
        actions += await redis.xlen(key);
        bytes += Number(await redis.memory('USAGE', key, 'SAMPLES', '0'));
      }
    } while (cursor !== '0');
    for (const suffix of ['seen:*', 'identified']) {
      let next = '0';
      do {
        const [after, keys] = await redis.scan(next, 'MATCH', `${prefix}:{u:*}:${suffix}`, 'COUNT', 1000);
        next = after;
        for (const key of keys) otherUserKeyBytes += Number(await redis.memory('USAGE', key, 'SAMPLES', '0'));
      } while (next !== '0');
    }
  } finally {
    redis.disconnect();
  }
  return { streams, actions, bytes, otherUserKeyBytes };
}

/** Removes every key the run wrote (data keys `<prefix>:…` and queue keys `{<prefix>…`). */
export async function deletePrefix(redisUrl: string, prefix: string): Promise<number> {
  const redis = new Redis(redisUrl);
  let deleted = 0;
  try {
    for (const pattern of [`${prefix}:*`, `{${prefix}*`, `${prefix}{*`]) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) deleted += await redis.del(...keys);
      } while (cursor !== '0');
    }
  } finally {
    redis.disconnect();
  }
  return deleted;
}
