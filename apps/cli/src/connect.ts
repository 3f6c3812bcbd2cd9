import type { Config } from '@threadline/config';
import { createQueues, type NotesSendGate, type QueueName } from '@threadline/jobs';
import {
  createRedis,
  RedisActivityStore,
  type RedisClient,
  RedisDeliveryStore,
  RedisKeys,
  RedisLinkStore,
  waitUntilReady,
} from '@threadline/redis-store';
import type { Queue } from 'bullmq';
import { CliError } from './cli-io.js';
import { safeRedisUrl } from './format.js';

/** Everything a command reads or changes, over one Redis connection. */
export interface Services {
  config: Config;
  redis: RedisClient;
  keys: RedisKeys;
  /** Every queue of the deployment (NOTE_QUEUE_SHARDS decides the notes shards), by name. */
  queue(name: QueueName): Queue;
  /** The workspace's note sending: paused after an Intercom 401/403 until `threadline resume`. */
  sendGate: NotesSendGate;
  activity: RedisActivityStore;
  links: RedisLinkStore;
  delivery: RedisDeliveryStore;
  /** Closes the queues, then Redis. Idempotent. */
  close(): Promise<void>;
}

/**
 * Opens a fail-fast connection: a person is waiting, so the first connection error (refused, unknown
 * host, wrong password) or `timeoutMs` without an answer ends the command.
 */
export async function openRedis(config: Config, timeoutMs = 5000): Promise<RedisClient> {
  let firstError: ((error: Error) => void) | undefined;
  const redis = createRedis(config.redisUrl, 'producer', (error) => firstError?.(error));
  try {
    await Promise.race([
      waitUntilReady(redis, timeoutMs),
      new Promise<never>((_, reject) => {
        firstError = reject;
      }),
    ]);
  } catch (error) {
    redis.disconnect();
    throw new CliError(
      `Redis at ${safeRedisUrl(config.redisUrl)} is not reachable: ${(error as Error).message}`,
    );
  } finally {
    firstError = undefined;
  }
  return redis;
}

export async function connect(config: Config): Promise<Services> {
  const redis = await openRedis(config);
  const keys = new RedisKeys(config.prefix);
  const queues = createQueues(redis, {
    prefix: config.prefix,
    coalesceMs: config.notes.coalesceMs,
    noteQueueShards: config.notes.queueShards,
  });
  let closing: Promise<void> | undefined;
  return {
    config,
    redis,
    keys,
    queue(name) {
      const queue = queues.queues[name];
      if (!queue)
        throw new CliError(`no queue "${name}" (this deployment's queues: ${queues.names.join(', ')})`);
      return queue;
    },
    sendGate: queues.sendGate,
    activity: new RedisActivityStore(redis, keys, {
      maxActions: config.activity.maxActions,
      retentionSeconds: config.activity.retentionSeconds,
    }),
    links: new RedisLinkStore(redis, keys),
    delivery: new RedisDeliveryStore(redis, keys),
    close() {
      closing ??= (async () => {
        await queues.close();
        await redis.quit().catch(() => redis.disconnect());
      })();
      return closing;
    },
  };
}
