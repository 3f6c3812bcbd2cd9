import type { Config } from '@threadline/config';
import type {
  AccessKeyStore,
  AccessRateLimit,
  ActivityStore,
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
  now(): Date;
  /** Keys of `MCP_API_KEYS`, hashed once at start. */
  environmentKeys: EnvironmentAccessKey[];
  /** Keys made with `threadline keys create`. */
  accessKeys: AccessKeyStore;
  rateLimiter: RateLimiter;
  /** Per-key limit on `/mcp` and the activity route (600 requests a minute). */
  accessRateLimit: AccessRateLimit;
}
