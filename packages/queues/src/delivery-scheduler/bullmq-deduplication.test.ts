import { deleteKeysWithPrefix, testRedisUrl, uniquePrefix } from '@threadline/test-helpers';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitingJobDueInMs } from './bullmq-deduplication.js';

const prefix = uniquePrefix('dedup');
let redis: Redis;
let queue: Queue;
beforeAll(() => {
  redis = new Redis(testRedisUrl());
  queue = new Queue('notes', { connection: redis, prefix: `{${prefix}-notes}` });
});
afterAll(async () => {
  await queue.close();
  await deleteKeysWithPrefix(testRedisUrl(), prefix);
  redis.disconnect();
});

// waitingJobDueInMs reads BullMQ's private deduplication key. This pins where BullMQ keeps it and what
// its TTL means; a BullMQ upgrade that moves or renames it fails here first.
describe("BullMQ's deduplication key", () => {
  it('is `<queue keys.de>:<id>`, holds the waiting job and lives until just before it is due', async () => {
    const job = await queue.add(
      'deliver-notes',
      { conversationId: 'conv-pin' },
      { delay: 5000, deduplication: { id: 'deliver-conv-pin', ttl: 4999, extend: true, replace: true } },
    );
    const key = `${queue.keys.de}:deliver-conv-pin`;
    expect(key).toBe(`{${prefix}-notes}:notes:de:deliver-conv-pin`);
    expect(await redis.get(key)).toBe(job.id);
    const dueIn = await waitingJobDueInMs(redis, queue, 'deliver-conv-pin');
    expect(dueIn).toBeGreaterThan(4000);
    expect(dueIn).toBeLessThanOrEqual(5000);
  });

  it('goes with a job removed by hand, and is absent for an id no job waits under', async () => {
    const job = await queue.add(
      'deliver-notes',
      { conversationId: 'conv-removed' },
      { delay: 5000, deduplication: { id: 'deliver-conv-removed', ttl: 4999, extend: true, replace: true } },
    );
    expect(await waitingJobDueInMs(redis, queue, 'deliver-conv-removed')).toBeGreaterThan(0);
    await job.remove();
    expect(await waitingJobDueInMs(redis, queue, 'deliver-conv-removed')).toBe(-1);
    expect(await waitingJobDueInMs(redis, queue, 'deliver-nobody')).toBe(-1);
  });
});
