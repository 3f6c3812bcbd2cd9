import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import {
  type CopyRecord,
  createCopyRecorder,
  defaultCaptureLimits,
  type SpoolEntryOutcome,
  startCaptureReader,
  startSpoolConsumer,
} from '@threadline/capture';
import { captureConfiguration } from '@threadline/composition';
import type { Config } from '@threadline/config';
import type {
  ActivityStore,
  DeliveryScheduler,
  IdentityStore,
  LinkStore,
  SpoolEntry,
} from '@threadline/core';
import type { Logger, WorkerMetrics } from '@threadline/observability';
import {
  createRedis,
  RedisCaptureQuota,
  RedisCaptureSpool,
  type RedisClient,
  type RedisKeys,
  RedisMemoryWatch,
} from '@threadline/redis-store';
import { TurnSlicer } from './turn-slicer.js';

export interface CaptureCopiesParts {
  config: Config;
  logger: Logger;
  metrics: Pick<WorkerMetrics, 'copiesRecorded'>;
  redis: RedisClient;
  keys: RedisKeys;
  activity: ActivityStore;
  links: LinkStore;
  identities: IdentityStore | undefined;
  deliveries: DeliveryScheduler;
}

export interface CaptureCopies {
  close(): Promise<void>;
}

/** The label of an outcome in `threadline_capture_copies_total`: capture's reason for a refusal. */
function outcomeLabel(outcome: SpoolEntryOutcome): string {
  if (outcome.kind === 'captured')
    return outcome.outcome.kind === 'accepted' ? 'accepted' : outcome.outcome.reason;
  return outcome.kind;
}

/**
 * The passthrough's copies, recorded on the worker: reads the capture spool in the consumer group
 * and records each copy through the capture use case (`createCopyRecorder`: PostHog's reader, the
 * Segment and Amplitude decoders, limits, identity rules, dedupe). Started only when an upstream is
 * set (nothing is spooled otherwise).
 */
export async function startCaptureCopies(parts: CaptureCopiesParts): Promise<CaptureCopies> {
  const { config, logger, metrics, redis, keys } = parts;
  const blocking = createRedis(config.redisUrl, 'worker', (error) =>
    logger.warn({ err: error }, 'capture spool redis connection error'),
  );
  const reader = await startCaptureReader(
    {
      keys: { apiKey: config.capture.apiKey, serverKey: config.capture.serverKey },
      identitySecret: config.capture.identity === 'off' ? undefined : config.capture.identitySecret,
    },
    { threads: config.capture.decodeThreads },
  );
  const memory = new RedisMemoryWatch(redis, {
    highWater: config.redisMemoryHighWater,
    onError: (error) => logger.debug({ err: error }, 'redis memory reading failed'),
  });
  await memory.start();
  const capture = captureConfiguration(config, defaultCaptureLimits.maxEventsPerBatch);
  const record = createCopyRecorder({
    dependencies: {
      reader,
      quota: new RedisCaptureQuota(redis, keys, {
        eventsPerMinute: config.capture.ipEventsPerMinute,
        newUsersPerHour: config.capture.ipNewUsersPerHour,
      }),
      storage: {
        isConnected: () => redis.status === 'ready',
        get isAboveHighWater() {
          return memory.isAboveHighWater;
        },
      },
      slicer: new TurnSlicer(),
      activity: parts.activity,
      links: parts.links,
      ...(parts.identities ? { identities: parts.identities } : {}),
      requestDelivery: (conversationId) => parts.deliveries.request(conversationId),
      settings: capture.settings,
      now: () => new Date(),
    },
    keys: capture.keys,
    identitySecret: capture.identitySecret,
  });
  const consumer = startSpoolConsumer({
    spool: new RedisCaptureSpool(redis, keys, blocking),
    record: (copy): Promise<CopyRecord> => record(copy),
    consumer: `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`,
    onOutcome: (outcome, entry: SpoolEntry) => {
      metrics.copiesRecorded.inc({ source: entry.copy.source, outcome: outcomeLabel(outcome) });
      if (outcome.kind === 'given_up')
        logger.warn({ source: entry.copy.source, deliveries: entry.deliveries }, 'capture copy given up');
      else if (outcome.kind === 'retry' && outcome.error)
        logger.warn({ err: outcome.error, source: entry.copy.source }, 'capture copy failed; retried later');
    },
    onError: (error) => logger.warn({ err: error }, 'capture spool read failed'),
  });
  return {
    async close() {
      await consumer.close();
      memory.stop();
      await reader.close();
      blocking.disconnect();
    },
  };
}
