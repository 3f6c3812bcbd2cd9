import { defaultCaptureLimits, startCaptureReader } from '@threadline/capture';
import { captureConfiguration, openDeployment } from '@threadline/composition';
import type { Config } from '@threadline/config';
import {
  CachedCaptureKeys,
  defaultAccessRateLimit,
  environmentAccessKeys,
  legacyEnvironmentKeyId,
} from '@threadline/core';
import { IntercomOAuthClient } from '@threadline/intercom';
import { createApiMetrics, type Logger, WorkspaceLabel } from '@threadline/observability';
import {
  createRedis,
  RedisAccessKeyStore,
  RedisCaptureQuota,
  RedisCaptureSpool,
  type RedisClient,
  type RedisKeys,
  RedisMemoryWatch,
  RedisNotificationClaims,
  RedisOAuthStates,
  RedisRateLimiter,
  RedisStreamLeases,
  RedisWebhookLog,
  RedisWorkspaceStore,
  TokenCipher,
} from '@threadline/redis-store';
import type { ApiDependencies, InstallDependencies } from './dependencies.js';

/** The OAuth install's adapters, when INTERCOM_CLIENT_ID turns it on (the config checked the rest). */
function installDependencies(
  config: Config,
  redis: RedisClient,
  keys: RedisKeys,
): InstallDependencies | undefined {
  const { clientId, clientSecret, oauthUrl, apiBaseUrl, timeoutMs } = config.intercom;
  if (!clientId || !clientSecret || !config.publicUrl) return undefined;
  return {
    clientId,
    oauthUrl,
    publicUrl: config.publicUrl,
    states: new RedisOAuthStates(redis, keys),
    intercom: new IntercomOAuthClient({ apiBaseUrl, clientId, clientSecret, timeoutMs }),
    workspaces: new RedisWorkspaceStore(redis, keys, new TokenCipher(config.encryptionKeys)),
  };
}

export interface ComposedApi {
  deps: ApiDependencies;
  /** Closes queues then Redis; safe to call twice. */
  close(): Promise<void>;
}

/** Wires the API's adapters from the config: the one place that decides what talks to what. */
export async function compose(config: Config, logger: Logger): Promise<ComposedApi> {
  const deployment = await openDeployment(config, {
    role: 'producer',
    onError: (error) => logger.warn({ err: error }, 'redis connection error'),
  });
  const { redis, keys, queues } = deployment;
  const metrics = createApiMetrics({ labels: { service: 'api' }, collectProcessMetrics: true });
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
  // Proofs are checked only when something uses the answer (captureConfiguration).
  const { keys: captureKeys, identitySecret } = captureConfiguration(
    config,
    defaultCaptureLimits.maxEventsPerBatch,
  );
  const captureReader = await startCaptureReader(
    { keys: captureKeys, identitySecret },
    // A large batch is described on the thread that read it, within the request's CPU budget.
    { threads: config.capture.decodeThreads, describeBudgetMs: config.capture.cpuBudgetMs },
  );
  if (captureReader.problem)
    logger.warn(
      { problem: captureReader.problem },
      'capture decode threads unavailable: large bodies are read on the event loop',
    );
  // Installed workspaces exist only with THREADLINE_ENCRYPTION_KEY (as in openDeployment).
  const installed =
    config.encryptionKeys.length > 0
      ? new RedisWorkspaceStore(redis, keys, new TokenCipher(config.encryptionKeys))
      : undefined;
  let closing: Promise<void> | undefined;
  return {
    deps: {
      config,
      logger,
      ...deployment.stores,
      claims: new RedisNotificationClaims(redis, keys),
      webhookLog: new RedisWebhookLog(redis, keys),
      // `requestDelivery` until the capture route asks `deliveries` itself.
      queues: { ...queues, requestDelivery: (conversationId) => queues.deliveries.request(conversationId) },
      deliveries: queues.deliveries,
      metrics,
      workspaceLabel: new WorkspaceLabel(),
      workspaces: deployment.workspaces,
      isRedisReady: async () => redis.status === 'ready' && (await redis.ping()) === 'PONG',
      isRedisConnected: () => redis.status === 'ready',
      redisMemory,
      captureReader,
      captureSpool: new RedisCaptureSpool(redis, keys),
      ...(installed
        ? {
            workspaceActivity: installed,
            workspaceCaptureKeys: new CachedCaptureKeys(installed, {
              ttlMs: 30_000,
              maxEntries: 10_000,
              now: Date.now,
            }),
          }
        : {}),
      captureQuota: new RedisCaptureQuota(redis, keys, {
        eventsPerMinute: config.capture.ipEventsPerMinute,
        newUsersPerHour: config.capture.ipNewUsersPerHour,
      }),
      now: () => new Date(),
      environmentKeys,
      accessKeys,
      rateLimiter: new RedisRateLimiter(redis, keys),
      accessRateLimit: defaultAccessRateLimit,
      openBlockingRedis: () =>
        createRedis(config.redisUrl, 'worker', (error) =>
          logger.warn({ err: error }, 'stream redis connection error'),
        ),
      // A lease outlives three heartbeats: a stream of a process that died stops counting soon after.
      streamLeases: new RedisStreamLeases(redis, keys, 3 * config.stream.heartbeatMs),
      install: installDependencies(config, redis, keys),
    },
    close() {
      closing ??= (async () => {
        redisMemory.stop();
        await captureReader.close();
        await deployment.close();
      })();
      return closing;
    },
  };
}
