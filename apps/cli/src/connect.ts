import {
  connectRedis,
  emailFingerprintKey,
  openDeployment,
  type RedisConnectOptions,
} from '@threadline/composition';
import type { Config } from '@threadline/config';
import type { IntercomSendGate, WorkspaceDirectory } from '@threadline/core';
import type { QueueName } from '@threadline/jobs';
import {
  type RedisActivityStore,
  type RedisClient,
  RedisDeliveryStore,
  RedisIdentityStore,
  type RedisKeys,
  type RedisLinkStore,
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
  /** The PRODUCT_ID workspace's note sending: paused after an Intercom 401/403 until `threadline resume`. */
  sendGate: IntercomSendGate;
  /** One product's workspace's note sending. */
  sendGateFor(productId: string): IntercomSendGate;
  /** Every workspace served (PRODUCT_ID's from the environment first, then the installed ones). */
  workspaces: WorkspaceDirectory;
  activity: RedisActivityStore;
  links: RedisLinkStore;
  delivery: RedisDeliveryStore;
  /** Email fingerprints (LINK_BY_EMAIL), keyed as the API and the worker key them, whatever the flag says now. */
  identities: RedisIdentityStore;
  /** Closes the queues, then Redis. Idempotent. */
  close(): Promise<void>;
}

/** A person is waiting: the first connection error, or 5 s without an answer, ends the command. */
const connection: RedisConnectOptions = {
  role: 'producer',
  readyTimeoutMs: 5000,
  isFailingOnFirstError: true,
  onError: () => {},
};

function unreachable(config: Config, error: unknown): CliError {
  return new CliError(
    `Redis at ${safeRedisUrl(config.redisUrl)} is not reachable: ${(error as Error).message}`,
  );
}

/** Opens a fail-fast connection (for commands that need Redis alone, like `doctor`). */
export async function openRedis(config: Config): Promise<RedisClient> {
  return connectRedis(config, connection).catch((error: unknown) => {
    throw unreachable(config, error);
  });
}

export async function connect(config: Config): Promise<Services> {
  const deployment = await openDeployment(config, connection).catch((error: unknown) => {
    throw unreachable(config, error);
  });
  const { redis, keys, queues, stores } = deployment;
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
    sendGateFor: queues.sendGateFor,
    workspaces: deployment.workspaces,
    activity: stores.activityHistory,
    links: stores.links,
    delivery: new RedisDeliveryStore(redis, keys),
    identities: new RedisIdentityStore(redis, keys, {
      ttlSeconds: config.activity.retentionSeconds,
      fingerprintKey: emailFingerprintKey(config),
    }),
    close: deployment.close,
  };
}
