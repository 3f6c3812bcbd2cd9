import type { RedisClient } from '@threadline/redis-store';
import type { Queue } from 'bullmq';

/**
 * How long the job waiting under `deduplicationId` still has before it is due, in ms, or -1 when none
 * waits. The one place that reads BullMQ's private keys: its deduplication key
 * (`<queue keys.de>:<deduplication id>`, BullMQ 5) lives while the job waits, until just before it is
 * due (a TTL of the delay - 1 as we add it), and goes with a job removed by hand. Its test
 * (`bullmq-deduplication.test.ts`) fails when a BullMQ upgrade moves or renames it.
 */
export async function waitingJobDueInMs(
  connection: RedisClient,
  queue: Queue,
  deduplicationId: string,
): Promise<number> {
  const ttl = await connection.pttl(`${queue.keys.de}:${deduplicationId}`);
  return ttl >= 0 ? ttl + 1 : -1;
}
