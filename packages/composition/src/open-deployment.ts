import type { Config } from '@threadline/config';
import type { WorkspaceDirectory } from '@threadline/core';
import { createQueues, type ThreadlineQueues } from '@threadline/queues';
import {
  type ConnectionRole,
  createRedis,
  createUserStores,
  type RedisClient,
  RedisKeys,
  RedisWorkspaceStore,
  TokenCipher,
  type UserStoreSettings,
  waitUntilReady,
} from '@threadline/redis-store';
import { deploymentWorkspaces, environmentWorkspace } from './deployment-workspaces.js';

/**
 * The key of the email fingerprints (LINK_BY_EMAIL): INTERCOM_CLIENT_SECRET, or the prefix without
 * one. A security default, so it lives here and nowhere else: every process must key them alike.
 */
export function emailFingerprintKey(config: Pick<Config, 'intercom' | 'prefix'>): string {
  return config.intercom.clientSecret ?? config.prefix;
}

/** The settings of the per-user stores, the same in every process. */
export function userStoreSettings(config: Config): UserStoreSettings {
  return {
    maxActions: config.activity.maxActions,
    retentionSeconds: config.activity.retentionSeconds,
    anonymousRetentionSeconds: config.activity.anonymousRetentionSeconds,
    dedupeWindowSeconds: config.capture.dedupeWindowSeconds,
    linkByEmail: config.intercom.linkByEmail,
    linkIdleDays: config.intercom.linkIdleDays,
    fingerprintKey: emailFingerprintKey(config),
    productFeed: { retentionSeconds: config.stream.retentionSeconds, maxEntries: config.stream.maxEntries },
  };
}

export interface RedisConnectOptions {
  /** `producer` fails fast (API, CLI); `worker` waits for Redis (BullMQ's blocking connections). */
  role: ConnectionRole;
  /** Every connection error after the start (the client has one listener: this). */
  onError(error: Error): void;
  /** How long to wait for Redis at the start; default 10 s. */
  readyTimeoutMs?: number;
  /** A person is waiting (the CLI): the first connection error ends the wait. */
  isFailingOnFirstError?: boolean;
}

/** A client connected to REDIS_URL, or an error saying why not (the client is then disconnected). */
export async function connectRedis(
  config: Pick<Config, 'redisUrl'>,
  options: RedisConnectOptions,
): Promise<RedisClient> {
  let firstError: ((error: Error) => void) | undefined;
  const redis = createRedis(config.redisUrl, options.role, (error) => {
    if (firstError) firstError(error);
    else options.onError(error);
  });
  try {
    const ready = waitUntilReady(redis, options.readyTimeoutMs);
    await (options.isFailingOnFirstError
      ? Promise.race([ready, new Promise<never>((_, reject) => (firstError = reject))])
      : ready);
  } catch (error) {
    redis.disconnect();
    throw error;
  } finally {
    firstError = undefined;
  }
  return redis;
}

/** What every process of a deployment opens the same way: Redis, its keys, the queues, the user stores. */
export interface Deployment {
  redis: RedisClient;
  keys: RedisKeys;
  queues: ThreadlineQueues;
  /** Actions, links and (with LINK_BY_EMAIL) identities, keyed and limited as in every process. */
  stores: ReturnType<typeof createUserStores>;
  /** Every workspace served (the PRODUCT_ID one of the environment first, then the installed ones). */
  workspaces: WorkspaceDirectory;
  /** Closes the queues, then Redis. Idempotent. */
  close(): Promise<void>;
}

/** The shared start of the API's, the worker's and the CLI's composition. */
export async function openDeployment(config: Config, options: RedisConnectOptions): Promise<Deployment> {
  const redis = await connectRedis(config, options);
  const keys = new RedisKeys(config.prefix);
  const queues = createQueues(redis, {
    prefix: config.prefix,
    coalesceMs: config.notes.coalesceMs,
    maxWaitMs: config.notes.maxWaitMs,
    noteQueueShards: config.notes.queueShards,
    environmentProductId: config.productId,
    // One field of the link hash: which workspace's rate pressure widens the conversation's coalescing.
    productOfConversation: async (conversationId) =>
      (await redis.hget(keys.link(conversationId), 'productId')) || null,
  });
  let closing: Promise<void> | undefined;
  return {
    redis,
    keys,
    queues,
    stores: createUserStores(redis, keys, userStoreSettings(config)),
    // Installed workspaces exist only with THREADLINE_ENCRYPTION_KEY (their tokens are sealed with it).
    workspaces: deploymentWorkspaces(
      environmentWorkspace(config),
      config.encryptionKeys.length > 0
        ? new RedisWorkspaceStore(redis, keys, new TokenCipher(config.encryptionKeys))
        : undefined,
    ),
    close() {
      closing ??= (async () => {
        await queues.close();
        await redis.quit().catch(() => redis.disconnect());
      })();
      return closing;
    },
  };
}
