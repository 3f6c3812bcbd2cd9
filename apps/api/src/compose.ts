import { startCaptureReader } from '@threadline/capture';
import type { Config } from '@threadline/config';
import { defaultAccessRateLimit, environmentAccessKeys, legacyEnvironmentKeyId } from '@threadline/core';
import { createQueues } from '@threadline/jobs';
import { createMetrics, type Logger } from '@threadline/observability';
import {
  createRedis,
  createUserStores,
  RedisAccessKeyStore,
  RedisCaptureQuota,
  RedisKeys,
  RedisMemoryWatch,
  RedisNotificationClaims,
  RedisRateLimiter,
  waitUntilReady,
} from '@threadline/redis-store';
import type { ApiDependencies } from './dependencies.js';

export interface ComposedApi {
  deps: ApiDependencies;
  /** Closes queues then Redis; safe to call twice. */
  close(): Promise<void>;
}

/** Wires the API's adapters from the config: the one place that decides what talks to what. */
export async function compose(config: Config, logger: Logger): Promise<ComposedApi> {
  const redis = createRedis(config.redisUrl, 'producer', (error) =>
    logger.warn({ err: error }, 'redis connection error'),
  );
  await waitUntilReady(redis);
  const keys = new RedisKeys(config.prefix);
  const queues = createQueues(redis, {
    prefix: config.prefix,
    coalesceMs: config.notes.coalesceMs,
    maxWaitMs: config.notes.maxWaitMs,
    noteQueueShards: config.notes.queueShards,
  });
  const metrics = createMetrics({ labels: { service: 'api' }, collectProcessMetrics: true });
  const redisMemory = new RedisMemoryWatch(redis, {
    highWater: config.redisMemoryHighWater,
    onReading: (usage) => metrics.redisMemoryRatio.set(usage.ratio),
    onError: (error) => logger.debug({ err: error }, 'redis memory reading failed'),
  });
  await redisMemory.start();
  const accessKeys = new RedisAccessKeyStore(redis, keys);
  const environmentKeys = environmentAccessKeys(config.mcpKeys, await accessKeys.keyIdSecret());
  // Before key ids were keyed, an environment key's id was a prefix of its plain SHA-256; what was
  // recorded under those ids goes (its use is recorded again under the new id).
  await accessKeys.forgetUses(config.mcpKeys.map(({ key }) => legacyEnvironmentKeyId(key)));
  const captureReader = await startCaptureReader(
    {
      keys: { apiKey: config.capture.apiKey, serverKey: config.capture.serverKey },
      // Proofs are checked only when something uses the answer.
      identitySecret: config.capture.identity === 'off' ? undefined : config.capture.identitySecret,
    },
    { threads: config.capture.decodeThreads },
  );
  if (captureReader.problem)
    logger.warn(
      { problem: captureReader.problem },
      'capture decode threads unavailable: large bodies are read on the event loop',
    );
  let closing: Promise<void> | undefined;
  return {
    deps: {
      config,
      logger,
      ...createUserStores(redis, keys, {
        maxActions: config.activity.maxActions,
        retentionSeconds: config.activity.retentionSeconds,
        anonymousRetentionSeconds: config.activity.anonymousRetentionSeconds,
        dedupeWindowSeconds: config.capture.dedupeWindowSeconds,
        linkByEmail: config.intercom.linkByEmail,
        linkIdleDays: config.intercom.linkIdleDays,
        fingerprintKey: config.intercom.clientSecret ?? config.prefix,
      }),
      claims: new RedisNotificationClaims(redis, keys),
      queues,
      metrics,
      isRedisReady: async () => redis.status === 'ready' && (await redis.ping()) === 'PONG',
      isRedisConnected: () => redis.status === 'ready',
      redisMemory,
      captureReader,
      captureQuota: new RedisCaptureQuota(redis, keys, {
        eventsPerMinute: config.capture.ipEventsPerMinute,
        newUsersPerHour: config.capture.ipNewUsersPerHour,
      }),
      now: () => new Date(),
      environmentKeys,
      accessKeys,
      rateLimiter: new RedisRateLimiter(redis, keys),
      accessRateLimit: defaultAccessRateLimit,
    },
    close() {
      closing ??= (async () => {
        redisMemory.stop();
        await captureReader.close();
        await queues.close();
        await redis.quit().catch(() => redis.disconnect());
      })();
      return closing;
    },
  };
}
