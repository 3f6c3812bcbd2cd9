import { configSchema, crossVariableProblems, type ProcessRole, type RawConfig } from './config-schema.js';
import { posthogUpstreamHosts, type UpstreamHosts } from './upstream-settings.js';

/** How capture treats who an event says it is from (see CAPTURE_IDENTITY). */
export type IdentityMode = 'off' | 'mark' | 'require';

/** Threadline's configuration, parsed once in each process's main.ts and passed down. */
export interface Config {
  host: string;
  port: number;
  redisUrl: string;
  prefix: string;
  logLevel: RawConfig['LOG_LEVEL'];
  productId: string;
  /** THREADLINE_PUBLIC_URL without a trailing slash (unset: none). */
  publicUrl: string | undefined;
  capture: {
    apiKey: string | undefined;
    posthogWebhookSecret: string | undefined;
    /** SEGMENT_WEBHOOK_SECRET: the bearer token a Segment "Webhooks (Actions)" destination sends; unset turns the route off. */
    segmentWebhookSecret: string | undefined;
    /** CAPTURE_SERVER_KEY: accepted as a capture key; its events count as verified. */
    serverKey: string | undefined;
    /** INTERCOM_IDENTITY_SECRET: the key of `$user_hash` and `$user_jwt`. */
    identitySecret: string | undefined;
    /** CAPTURE_IDENTITY: `off` without the secret, `require` with it. */
    identity: IdentityMode;
    /** CAPTURE_IP_EVENTS_PER_MINUTE, default 6,000. */
    ipEventsPerMinute: number;
    /** CAPTURE_IP_NEW_USERS_PER_HOUR, default 1,000. */
    ipNewUsersPerHour: number;
    /** CAPTURE_MAX_USERS_PER_REQUEST, default 100. */
    maxUsersPerRequest: number;
    /** CAPTURE_DEDUPE_WINDOW_S, default 7,200. */
    dedupeWindowSeconds: number;
    /** CAPTURE_CPU_BUDGET_MS, default 250. */
    cpuBudgetMs: number;
    /** CAPTURE_DECODE_THREADS, default 1: worker threads for large bodies (0: read on the event loop). */
    decodeThreads: number;
  };
  /** Where each source's requests are forwarded (passthrough); a source without hosts is not forwarded. */
  upstreams: {
    /** POSTHOG_UPSTREAM with POSTHOG_ASSETS_UPSTREAM (unset: off). */
    posthog: UpstreamHosts | undefined;
    /** UPSTREAM_TIMEOUT_MS, default 10,000: connect, answer and body each. */
    timeoutMs: number;
  };
  /** TRUST_PROXY: false (default), a hop count, or proxy addresses / CIDRs. */
  trustProxy: false | number | string[];
  /** REDIS_MEMORY_HIGH_WATER, default 0.9. */
  redisMemoryHighWater: number;
  mcpKeys: { key: string; productId: string }[];
  /** THREADLINE_ENCRYPTION_KEY: base64 32-byte keys, the one that seals first (empty: none). */
  encryptionKeys: string[];
  intercom: {
    accessToken: string | undefined;
    clientSecret: string | undefined;
    apiBaseUrl: string;
    adminId: string | undefined;
    /** INTERCOM_TIMEOUT_MS, default 10,000. */
    timeoutMs: number;
    appId: string | undefined;
    /** INTERCOM_CLIENT_ID: the public app's client id (unset: the OAuth install is off). */
    clientId: string | undefined;
    /** INTERCOM_OAUTH_URL, default `https://app.intercom.com/oauth`. */
    oauthUrl: string;
    linkByEmail: boolean;
    /** LINK_IDLE_DAYS, default 14. */
    linkIdleDays: number;
  };
  notes: {
    coalesceMs: number;
    maxWaitMs: number | undefined;
    maxActions: number;
    prechatActions: number;
    /** NOTE_QUEUE_SHARDS, default 1: the queues `notes`, `notes-1`, … */
    queueShards: number;
  };
  activity: {
    retentionSeconds: number;
    /** ACTIVITY_ANONYMOUS_RETENTION_S, default 7,200. */
    anonymousRetentionSeconds: number;
    maxActions: number;
  };
  summaries: {
    afterNotes: number;
    openaiApiKey: string | undefined;
    openaiBaseUrl: string | undefined;
    openaiModel: string;
    /** OPENAI_TIMEOUT_MS, default 15,000. */
    openaiTimeoutMs: number;
  };
  adminToken: string | undefined;
  /** ADMIN_READ_TOKEN: sees the dashboard read-only. */
  adminReadToken: string | undefined;
  /** METRICS_PORT: a listener of its own for /metrics and /readyz (unset: none). */
  metricsPort: number | undefined;
  worker: { concurrency: number; lockMs: number; stalledCheckMs: number; metricsPort: number | undefined };
  shutdownTimeoutMs: number;
  /** The live stream (`GET /v1/stream/:productId`). */
  stream: {
    /** STREAM_RETENTION_S, default 3,600. */
    retentionSeconds: number;
    /** STREAM_MAX_ENTRIES, default 100,000. */
    maxEntries: number;
    /** STREAM_MAX_PER_KEY, default 10. */
    maxPerKey: number;
    /** STREAM_HEARTBEAT_MS, default 15,000. */
    heartbeatMs: number;
    /** STREAM_MAX_BUFFER_BYTES, default 1 MiB. */
    maxBufferBytes: number;
  };
  /** Push webhooks (`threadline subscriptions`). */
  push: {
    /** PUSH_BATCH_MAX_ACTIONS, default 100. */
    batchMaxActions: number;
    /** PUSH_BATCH_MAX_WAIT_MS, default 1,000. */
    batchMaxWaitMs: number;
    /** PUSH_TIMEOUT_MS, default 10,000. */
    timeoutMs: number;
    /** PUSH_RETRY_BASE_MS, default 1,000. */
    retryBaseMs: number;
    /** PUSH_RETRY_FOR_MS, default a day. */
    retryForMs: number;
    /** SUBSCRIPTIONS_ALLOW_PRIVATE, default false. */
    allowPrivate: boolean;
  };
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] };

/**
 * Parses the environment. Never throws: an invalid environment comes back as one
 * `VARIABLE: what is wrong` line per problem, for main.ts to print before exiting.
 */
export function loadConfig(env: Record<string, string | undefined>, role: ProcessRole = 'cli'): ConfigResult {
  const parsed = configSchema.safeParse(env);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${String(issue.path[0] ?? 'environment')}: ${issue.message}`);
  problems.push(...crossVariableProblems(env, role));
  if (!parsed.success || problems.length > 0) return { ok: false, problems: [...new Set(problems)] };
  const e = parsed.data;
  return {
    ok: true,
    config: {
      host: e.HOST,
      port: e.PORT,
      redisUrl: e.REDIS_URL,
      prefix: e.THREADLINE_PREFIX,
      logLevel: e.LOG_LEVEL,
      productId: e.PRODUCT_ID,
      publicUrl: e.THREADLINE_PUBLIC_URL,
      capture: {
        apiKey: e.CAPTURE_API_KEY,
        posthogWebhookSecret: e.POSTHOG_WEBHOOK_SECRET,
        segmentWebhookSecret: e.SEGMENT_WEBHOOK_SECRET,
        serverKey: e.CAPTURE_SERVER_KEY,
        identitySecret: e.INTERCOM_IDENTITY_SECRET,
        identity: e.CAPTURE_IDENTITY ?? (e.INTERCOM_IDENTITY_SECRET ? 'require' : 'off'),
        ipEventsPerMinute: e.CAPTURE_IP_EVENTS_PER_MINUTE,
        ipNewUsersPerHour: e.CAPTURE_IP_NEW_USERS_PER_HOUR,
        maxUsersPerRequest: e.CAPTURE_MAX_USERS_PER_REQUEST,
        dedupeWindowSeconds: e.CAPTURE_DEDUPE_WINDOW_S,
        cpuBudgetMs: e.CAPTURE_CPU_BUDGET_MS,
        decodeThreads: e.CAPTURE_DECODE_THREADS,
      },
      upstreams: {
        posthog: posthogUpstreamHosts(e.POSTHOG_UPSTREAM, e.POSTHOG_ASSETS_UPSTREAM),
        timeoutMs: e.UPSTREAM_TIMEOUT_MS,
      },
      trustProxy: e.TRUST_PROXY,
      redisMemoryHighWater: e.REDIS_MEMORY_HIGH_WATER,
      mcpKeys: e.MCP_API_KEYS,
      encryptionKeys: e.THREADLINE_ENCRYPTION_KEY,
      intercom: {
        accessToken: e.INTERCOM_ACCESS_TOKEN,
        clientSecret: e.INTERCOM_CLIENT_SECRET,
        apiBaseUrl: e.INTERCOM_API_BASE_URL.replace(/\/+$/, ''),
        adminId: e.INTERCOM_ADMIN_ID,
        timeoutMs: e.INTERCOM_TIMEOUT_MS,
        appId: e.INTERCOM_APP_ID,
        clientId: e.INTERCOM_CLIENT_ID,
        oauthUrl: e.INTERCOM_OAUTH_URL,
        linkByEmail: e.LINK_BY_EMAIL,
        linkIdleDays: e.LINK_IDLE_DAYS,
      },
      notes: {
        coalesceMs: e.NOTE_COALESCE_MS,
        maxWaitMs: e.NOTE_MAX_WAIT_MS,
        maxActions: e.NOTE_MAX_ACTIONS,
        prechatActions: e.PRECHAT_ACTIONS,
        queueShards: e.NOTE_QUEUE_SHARDS,
      },
      activity: {
        retentionSeconds: e.ACTIVITY_RETENTION_S,
        anonymousRetentionSeconds: Math.min(e.ACTIVITY_ANONYMOUS_RETENTION_S, e.ACTIVITY_RETENTION_S),
        maxActions: e.ACTIVITY_MAX_ACTIONS,
      },
      summaries: {
        afterNotes: e.SUMMARIZE_AFTER_NOTES,
        openaiApiKey: e.OPENAI_API_KEY,
        openaiBaseUrl: e.OPENAI_BASE_URL,
        openaiModel: e.OPENAI_MODEL,
        openaiTimeoutMs: e.OPENAI_TIMEOUT_MS,
      },
      adminToken: e.ADMIN_TOKEN,
      adminReadToken: e.ADMIN_READ_TOKEN,
      metricsPort: e.METRICS_PORT,
      worker: {
        concurrency: e.WORKER_CONCURRENCY,
        metricsPort: e.WORKER_METRICS_PORT,
        lockMs: e.WORKER_LOCK_MS,
        stalledCheckMs: e.WORKER_STALLED_CHECK_MS,
      },
      shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
      stream: {
        retentionSeconds: e.STREAM_RETENTION_S,
        maxEntries: e.STREAM_MAX_ENTRIES,
        maxPerKey: e.STREAM_MAX_PER_KEY,
        heartbeatMs: e.STREAM_HEARTBEAT_MS,
        maxBufferBytes: e.STREAM_MAX_BUFFER_BYTES,
      },
      push: {
        batchMaxActions: e.PUSH_BATCH_MAX_ACTIONS,
        batchMaxWaitMs: e.PUSH_BATCH_MAX_WAIT_MS,
        timeoutMs: e.PUSH_TIMEOUT_MS,
        retryBaseMs: e.PUSH_RETRY_BASE_MS,
        retryForMs: e.PUSH_RETRY_FOR_MS,
        allowPrivate: e.SUBSCRIPTIONS_ALLOW_PRIVATE,
      },
    },
  };
}

/** An invalid configuration: the message is `invalid configuration` and one indented line per problem. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(['invalid configuration', ...problems.map((problem) => `  ${problem}`)].join('\n'));
    this.name = 'ConfigError';
  }
}

/** Loads the config or throws a `ConfigError` (a main.ts prints it and exits 1). */
export function loadConfigOrThrow(env: Record<string, string | undefined>, role: ProcessRole): Config {
  const result = loadConfig(env, role);
  if (result.ok) return result.config;
  throw new ConfigError(result.problems);
}
