import type { LinkRequest } from '@threadline/core';
import { type QueueName, queuePrefix } from '@threadline/jobs';
import { createQueues, type ThreadlineQueues } from '@threadline/queues';
import { RedisActivityStore, RedisDeliveryStore, RedisKeys, RedisLinkStore } from '@threadline/redis-store';
import { deleteKeysWithPrefix, testRedisUrl, uniquePrefix } from '@threadline/test-helpers';
import { UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { runCli } from '../src/run-cli.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The run's Redis under a prefix of this test file's own, the real stores and queues to seed it, and
 * `run` to call the CLI in-process with an environment pointing at that prefix.
 */
export interface CliHarness {
  prefix: string;
  redisUrl: string;
  env: Record<string, string>;
  redis: Redis;
  keys: RedisKeys;
  activity: RedisActivityStore;
  links: RedisLinkStore;
  delivery: RedisDeliveryStore;
  queues: ThreadlineQueues;
  run(argv: string[], env?: Record<string, string | undefined>): Promise<CliRun>;
  /** Adds `count` link jobs and makes each fail for real (a worker whose processor throws). */
  failLinkJobs(count: number, label: string): Promise<string[]>;
  close(): Promise<void>;
}

export function linkRequest(notificationId: string, conversationId = `conv-${notificationId}`): LinkRequest {
  return {
    notificationId,
    topic: 'conversation.user.created',
    appId: 'app-1',
    conversationId,
    conversationCreatedAt: null,
    contact: { contactId: `contact-${notificationId}`, externalId: 'user_8812', email: null },
    receivedAt: new Date().toISOString(),
  };
}

export async function runCaptured(argv: string[], env: Record<string, string | undefined>): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    env,
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { code, stdout, stderr };
}

/** Runs a worker on `queue` whose processor throws until `count` jobs have failed, then closes it. */
export async function failJobsWithWorker(
  url: string,
  prefix: string,
  queue: QueueName,
  count: number,
): Promise<void> {
  const connection = new Redis(url, { maxRetriesPerRequest: null });
  const worker = new Worker(
    queue,
    async () => {
      // What a processor throws for an error no retry can fix (e.g. Intercom refusing the token).
      throw new UnrecoverableError('Intercom answered 401: the access token was refused');
    },
    { connection, prefix: queuePrefix(prefix, queue), autorun: false },
  );
  try {
    let failures = 0;
    const allFailed = new Promise<void>((resolve, reject) => {
      worker.on('failed', () => {
        failures += 1;
        if (failures === count) resolve();
      });
      worker.on('error', reject);
    });
    void worker.run();
    await allFailed;
  } finally {
    await worker.close();
    connection.disconnect();
  }
}

/** `noteQueueShards`: NOTE_QUEUE_SHARDS of the seeding queues and of every CLI run (default 1). */
export async function createHarness(label: string, noteQueueShards = 1): Promise<CliHarness> {
  const url = testRedisUrl();
  const prefix = uniquePrefix(label);
  const env = {
    REDIS_URL: url,
    THREADLINE_PREFIX: prefix,
    NOTE_COALESCE_MS: '0',
    NOTE_QUEUE_SHARDS: String(noteQueueShards),
    LOG_LEVEL: 'silent',
  };
  const redis = new Redis(url);
  const keys = new RedisKeys(prefix);
  const queues = createQueues(redis, { prefix, coalesceMs: 0, noteQueueShards });
  return {
    prefix,
    redisUrl: url,
    env,
    redis,
    keys,
    activity: new RedisActivityStore(redis, keys, { maxActions: 200, retentionSeconds: 86_400 }),
    links: new RedisLinkStore(redis, keys),
    delivery: new RedisDeliveryStore(redis, keys),
    queues,
    run: (argv, extra = {}) => runCaptured(argv, { ...env, ...extra }),
    async failLinkJobs(count, label) {
      const ids: string[] = [];
      for (let index = 0; index < count; index += 1) {
        const notificationId = `${label}-${index}`;
        await queues.enqueueLink(linkRequest(notificationId));
        ids.push(`link-${notificationId}`);
      }
      await failJobsWithWorker(url, prefix, 'link', count);
      return ids;
    },
    async close() {
      await queues.close();
      redis.disconnect();
      await deleteKeysWithPrefix(url, prefix);
    },
  };
}
