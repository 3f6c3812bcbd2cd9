import type { Config } from '@threadline/config';
import { isQueueName, type QueueName, queueNamesFor, queuePrefix } from '@threadline/jobs';
import { globLiteral, type RedisClient, scanKeys } from '@threadline/redis-store';
import { Queue } from 'bullmq';

export interface QueueConsumers {
  queue: QueueName;
  /** BullMQ worker connections (a worker process holds more than one per queue). */
  workerConnections: number;
  /** Jobs waiting, delayed, active, prioritized or paused. */
  pendingJobs: number;
}

export interface WorkersFinding {
  status: 'ok' | 'warn' | 'fail';
  summary: string;
  details: string[];
}

/** Notes shards that exist in Redis beyond the configured number: another process uses a larger one. */
async function shardsBeyond(redis: RedisClient, config: Config): Promise<QueueName[]> {
  const pattern = `${globLiteral(`{${config.prefix}-notes-`)}*}:notes-*:meta`;
  const names = (await scanKeys(redis, pattern))
    .map((key) => /:(notes-\d+):meta$/.exec(key)?.[1])
    .filter((name): name is QueueName => name !== undefined && isQueueName(name));
  return [...new Set(names)].filter(
    (name) => Number(name.slice('notes-'.length)) >= config.notes.queueShards,
  );
}

/** Who consumes each queue of this configuration, and any notes shard beyond it that is in use. */
export async function readQueueConsumers(
  redis: RedisClient,
  config: Config,
): Promise<{ configured: QueueConsumers[]; beyond: QueueConsumers[] }> {
  const read = async (name: QueueName): Promise<QueueConsumers> => {
    const queue = new Queue(name, { connection: redis, prefix: queuePrefix(config.prefix, name) });
    try {
      const counts = await queue.getJobCounts('waiting', 'delayed', 'active', 'prioritized', 'paused');
      return {
        queue: name,
        workerConnections: await queue.getWorkersCount(),
        pendingJobs: Object.values(counts).reduce((sum, count) => sum + count, 0),
      };
    } finally {
      await queue.close();
    }
  };
  const configured = await Promise.all(queueNamesFor(config.notes.queueShards).map(read));
  const beyond = (await Promise.all((await shardsBeyond(redis, config)).map(read))).filter(
    (entry) => entry.workerConnections > 0 || entry.pendingJobs > 0,
  );
  return { configured, beyond };
}

/**
 * Every queue needs a worker, and no process may use more notes shards than this configuration: an
 * API with a larger NOTE_QUEUE_SHARDS than the workers enqueues where no worker looks.
 */
export function judgeQueueConsumers(
  config: Config,
  consumers: { configured: QueueConsumers[]; beyond: QueueConsumers[] },
): WorkersFinding {
  const shards = config.notes.queueShards;
  const describe = (entry: QueueConsumers) =>
    `${entry.queue}: ${entry.workerConnections} worker connection(s), ${entry.pendingJobs} job(s) waiting`;
  if (consumers.beyond.length > 0) {
    return {
      status: consumers.beyond.some((entry) => entry.pendingJobs > 0) ? 'fail' : 'warn',
      summary: `notes shards beyond NOTE_QUEUE_SHARDS=${shards} are in use: processes disagree on NOTE_QUEUE_SHARDS (docs/operations.md, "Scaling out")`,
      details: consumers.beyond.map(describe),
    };
  }
  const idle = consumers.configured.filter((entry) => entry.workerConnections === 0);
  if (idle.length === consumers.configured.length) {
    return {
      status: 'warn',
      summary: 'no worker is connected (is the worker running, with this THREADLINE_PREFIX?)',
      details: [],
    };
  }
  if (idle.length > 0) {
    return {
      status: 'fail',
      summary: `no worker consumes ${idle.map((entry) => entry.queue).join(', ')}: its jobs wait (a worker with a smaller NOTE_QUEUE_SHARDS than ${shards}?)`,
      details: idle.map(describe),
    };
  }
  return {
    status: 'ok',
    summary: `every queue has a worker (${consumers.configured.map((entry) => `${entry.queue} ${entry.workerConnections}`).join(', ')} connections)`,
    details: [],
  };
}
