import type { Config } from '@threadline/config';
import type {
  AccessKeyStore,
  AccessRateLimit,
  ActivityStore,
  CaptureQuota,
  CaptureReader,
  DeliveryScheduler,
  EnvironmentAccessKey,
  IdentityStore,
  IntercomOAuth,
  LinkStore,
  NotificationClaims,
  OAuthStateStore,
  RateLimiter,
  WebhookLog,
  WorkspaceCaptureKeys,
  WorkspaceDirectory,
  WorkspaceRegistry,
} from '@threadline/core';
import type { ApiMetrics, Logger, WorkspaceLabel } from '@threadline/observability';
import type { ThreadlineQueues } from '@threadline/queues';
import type {
  RedisCaptureSpool,
  RedisClient,
  RedisProductFeed,
  RedisStreamLeases,
} from '@threadline/redis-store';

/** Everything the HTTP app needs, built by compose() in production and by tests with test settings. */
export interface ApiDependencies {
  config: Config;
  logger: Logger;
  activity: ActivityStore;
  links: LinkStore;
  /** Present only with LINK_BY_EMAIL. */
  identities: IdentityStore | undefined;
  claims: NotificationClaims;
  /** The last ping, verified delivery and bad signature seen, for `threadline doctor --live`. */
  webhookLog: WebhookLog;
  queues: Pick<ThreadlineQueues, 'enqueueLink' | 'queues' | 'sendGate' | 'sendGateFor'> & {
    /** The same as `deliveries.request` (the capture route's name for it). */
    requestDelivery(conversationId: string): Promise<void>;
  };
  /** Note deliveries, coalesced per conversation. */
  deliveries: DeliveryScheduler;
  /** Only what the API counts (or reads from Redis when scraped); the workers serve their own. */
  metrics: ApiMetrics;
  /** The `workspace` label of the metrics (a bounded number of values, then `other`). */
  workspaceLabel: WorkspaceLabel;
  /** Every workspace served: webhooks are routed to a product by their `app_id`. */
  workspaces: WorkspaceDirectory;
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
  /** Records when an installed workspace was last heard from (with THREADLINE_ENCRYPTION_KEY), or absent. */
  workspaceActivity?: { touch(productId: string, at: number): Promise<void> };
  /** Installed workspaces' capture keys (with THREADLINE_ENCRYPTION_KEY), or absent. */
  workspaceCaptureKeys?: WorkspaceCaptureKeys;
  /** Copies of the requests the passthrough forwards, for a worker to record. */
  captureSpool: RedisCaptureSpool;
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
  /** Each product's feed of new actions: what `GET /v1/stream` reads. */
  productFeed: RedisProductFeed;
  /** A new connection a stream reader may block on (`XREAD BLOCK`); the caller disconnects it. */
  openBlockingRedis(): RedisClient;
  /** Open streams per access key, across replicas (STREAM_MAX_PER_KEY). */
  streamLeases: RedisStreamLeases;
  /** The OAuth install (`/oauth/intercom/*`); present only with INTERCOM_CLIENT_ID. */
  install: InstallDependencies | undefined;
}

/** What the OAuth install routes need. */
export interface InstallDependencies {
  clientId: string;
  /** INTERCOM_OAUTH_URL. */
  oauthUrl: string;
  /** THREADLINE_PUBLIC_URL: the redirect URL is `<it>/oauth/intercom/callback`. */
  publicUrl: string;
  states: OAuthStateStore;
  intercom: IntercomOAuth;
  workspaces: WorkspaceRegistry;
}
