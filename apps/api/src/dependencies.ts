import type { Config } from '@threadline/config';
import type {
  AccessKeyStore,
  AccessRateLimit,
  ActivityStore,
  CaptureQuota,
  CaptureReader,
  EnvironmentAccessKey,
  IdentityStore,
  LinkStore,
  NotificationClaims,
  RateLimiter,
} from '@threadline/core';
import type { ThreadlineQueues } from '@threadline/jobs';
import type { Logger, Metrics } from '@threadline/observability';

/** Everything the HTTP app needs, built by compose() in production and by tests with test settings. */
export interface ApiDependencies {
  config: Config;
  logger: Logger;
  activity: ActivityStore;
  links: LinkStore;
  /** Present only with LINK_BY_EMAIL. */
  identities: IdentityStore | undefined;
  claims: NotificationClaims;
  queues: Pick<ThreadlineQueues, 'enqueueLink' | 'requestDelivery' | 'queues'>;
  metrics: Metrics;
  /** Whether Redis answers right now (for /readyz). */
  isRedisReady(): Promise<boolean>;
  /**
   * Whether the Redis connection is up, without asking Redis: while it is not, capture answers 503 at
   * once (the client fails fast rather than queueing commands).
   */
  isRedisConnected(): boolean;
  /** The latest Redis memory reading against REDIS_MEMORY_HIGH_WATER. */
  redisMemory: { readonly isAboveHighWater: boolean };
  /** Per-client limits of the public capture key. */
  captureQuota: CaptureQuota;
  /** Decodes capture bodies (large ones on worker threads, CAPTURE_DECODE_THREADS). */
  captureReader: CaptureReader;
  now(): Date;
  /** Keys of `MCP_API_KEYS`, hashed once at start. */
  environmentKeys: EnvironmentAccessKey[];
  /** Keys made with `threadline keys create`. */
  accessKeys: AccessKeyStore;
  rateLimiter: RateLimiter;
  /** Per-key limit on `/mcp` and the activity route (600 requests a minute). */
  accessRateLimit: AccessRateLimit;
}
