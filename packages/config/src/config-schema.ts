import { z } from 'zod';
import { upstreamSetting } from './upstream-settings.js';

const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const wholeNumber = (min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

const integer = (fallback: number, min: number, max: number) => wholeNumber(min, max).default(fallback);

const optionalInteger = (min: number, max: number) => wholeNumber(min, max).optional();

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
  .default('false')
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

/** `key:product_id` pairs, comma separated. */
const mcpKeyList = z
  .string()
  .default('')
  .transform((value, context) => {
    const pairs: { key: string; productId: string }[] = [];
    for (const entry of value
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean)) {
      const separator = entry.lastIndexOf(':');
      const key = entry.slice(0, separator).trim();
      const productId = entry.slice(separator + 1).trim();
      if (separator <= 0 || !key || !productId) {
        context.addIssue({ code: 'custom', message: 'each entry must be key:product_id' });
        return z.NEVER;
      }
      if (key.length < 16) {
        context.addIssue({
          code: 'custom',
          message: `the key for product "${productId}" is shorter than 16 characters`,
        });
        return z.NEVER;
      }
      pairs.push({ key, productId });
    }
    return pairs;
  });

/** THREADLINE_ENCRYPTION_KEY: base64 32-byte keys, comma separated; the first one seals. */
const encryptionKeyList = z
  .string()
  .default('')
  .transform((value, context) => {
    const entries = value
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean);
    const bad = entries.findIndex(
      (entry) => !/^[A-Za-z0-9+/_-]{43}=?$/.test(entry) || Buffer.from(entry, 'base64').length !== 32,
    );
    if (bad !== -1) {
      context.addIssue({
        code: 'custom',
        message: `key ${bad + 1} is not 32 bytes of base64 (make one with: openssl rand -base64 32)`,
      });
      return z.NEVER;
    }
    if (new Set(entries).size !== entries.length) {
      context.addIssue({ code: 'custom', message: 'lists the same key twice' });
      return z.NEVER;
    }
    return entries;
  });

/**
 * TRUST_PROXY: unset (trust no proxy: the client IP is the peer's address), a hop count, or a comma list
 * of proxy addresses / CIDRs whose `X-Forwarded-For` is believed.
 */
const trustProxy = z
  .string()
  .trim()
  .default('')
  .transform((value, context): false | number | string[] => {
    if (value === '' || value === 'false') return false;
    if (/^\d+$/.test(value)) return Number(value);
    const entries = value
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
    const proxyEntry = /^(?:[\d.]{7,15}|[\da-f:.]{2,45}|loopback|linklocal|uniquelocal)(?:\/\d{1,3})?$/i;
    const bad = entries.find((entry) => !proxyEntry.test(entry));
    if (bad !== undefined) {
      context.addIssue({
        code: 'custom',
        message: `"${bad}" is not an address, a CIDR or a hop count (e.g. 10.0.0.0/8,127.0.0.1 or 1)`,
      });
      return z.NEVER;
    }
    return entries;
  });

/** A share between 0 and 1, e.g. `0.9`. */
const share = (fallback: number) =>
  z.coerce
    .number({ error: 'must be a number between 0 and 1' })
    .gt(0, 'must be more than 0')
    .max(1, 'must be at most 1')
    .default(fallback);

const redisUrl = z
  .string()
  .trim()
  .default('redis://127.0.0.1:6379')
  .refine(
    (value) =>
      value
        .split(',')
        .every((node) => /^(rediss?|redis\+cluster):\/\/[^\s]+$|^[\w.-]+:\d+$/.test(node.trim())),
    'must be redis://host:port, rediss://…, redis+cluster://host:port,… or a comma list of host:port cluster nodes',
  );

/**
 * Every variable Threadline reads, with its default. `.env.example` lists the same names; a test keeps
 * the two in step.
 */
export const configSchema = z.object({
  /** API listen address. */
  HOST: z.string().trim().default('0.0.0.0'),
  PORT: integer(8080, 0, 65535),
  /** Redis (or Redis Cluster) connection. */
  REDIS_URL: redisUrl,
  /** Key and queue prefix; hash-tagged where keys must share a Cluster slot. */
  THREADLINE_PREFIX: z
    .string()
    .trim()
    .default('threadline')
    .refine(
      (value) => /^[a-z0-9][a-z0-9_-]{0,39}$/i.test(value),
      'use 1–40 letters, digits, - or _ (no braces or colons)',
    ),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PRODUCT_ID: z
    .string()
    .trim()
    .default('default')
    .refine((value) => /^[A-Za-z0-9._-]{1,64}$/.test(value), 'use 1–64 letters, digits, ., - or _'),
  /** Required by the API (see `crossVariableProblems`). */
  CAPTURE_API_KEY: optionalText,
  POSTHOG_WEBHOOK_SECRET: optionalText,
  SEGMENT_WEBHOOK_SECRET: optionalText,
  /**
   * A secret capture key for product backends (posthog-node): accepted wherever CAPTURE_API_KEY is,
   * and its events count as verified.
   */
  CAPTURE_SERVER_KEY: optionalText,
  /** The Messenger identity secret (Intercom's `user_hash` / Messenger JWT key). */
  INTERCOM_IDENTITY_SECRET: optionalText,
  /** `off` | `mark` | `require`; default `off` without INTERCOM_IDENTITY_SECRET, `require` with it. */
  CAPTURE_IDENTITY: z.enum(['off', 'mark', 'require'], { error: 'must be off, mark or require' }).optional(),
  MCP_API_KEYS: mcpKeyList,
  INTERCOM_ACCESS_TOKEN: optionalText,
  INTERCOM_CLIENT_SECRET: optionalText,
  INTERCOM_API_BASE_URL: z.url({ error: 'must be an http(s) URL' }).default('https://api.intercom.io'),
  INTERCOM_ADMIN_ID: optionalText,
  /** How long one Intercom call may take before it is abandoned (outcome unknown, looked up on retry). */
  INTERCOM_TIMEOUT_MS: integer(10_000, 100, 120_000),
  /** Intercom workspace (app id) the configured token belongs to; webhooks of other app ids are ignored. Unset: any. */
  INTERCOM_APP_ID: optionalText,
  /** The https base URL Intercom and browsers reach Threadline at (unset: none; the banner and doctor use it). */
  THREADLINE_PUBLIC_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. https://threadline.example.com' })
    .transform((value) => value.replace(/\/+$/, ''))
    .optional(),
  /** The public app's client id; set, it turns the OAuth install on (`/oauth/intercom/install`). */
  INTERCOM_CLIENT_ID: optionalText,
  /** Intercom's authorize page (the sandbox serves one too). */
  INTERCOM_OAUTH_URL: z.url({ error: 'must be an http(s) URL' }).default('https://app.intercom.com/oauth'),
  /**
   * 32-byte base64 keys, comma separated, that seal workspace tokens at rest (AES-256-GCM): the first
   * seals, all open. Required with INTERCOM_CLIENT_ID.
   */
  THREADLINE_ENCRYPTION_KEY: encryptionKeyList,
  LINK_BY_EMAIL: booleanFlag,
  /** Trailing-edge debounce of new actions before a note (ms). */
  NOTE_COALESCE_MS: integer(2000, 0, 600_000),
  /**
   * The longest a busy conversation's actions wait for a note, however often new ones come (ms).
   * Default: NOTE_COALESCE_MS + 1000 (applied by the queues).
   */
  NOTE_MAX_WAIT_MS: optionalInteger(0, 3_600_000),
  NOTE_MAX_ACTIONS: integer(25, 1, 200),
  /**
   * How many queues deliveries are spread over, by a hash of the conversation id (default 1: `notes`
   * only). On Redis Cluster each shard has its own hash tag, so shards spread over the masters. Every
   * process of a deployment must use the same number; change it only with the notes queues drained.
   */
  NOTE_QUEUE_SHARDS: integer(1, 1, 64),
  PRECHAT_ACTIONS: integer(30, 0, 500),
  /** How long a user's actions are kept (s), by event time: an older event is not stored, nor read. */
  ACTIVITY_RETENTION_S: integer(86_400, 60, 90 * 86_400),
  ACTIVITY_MAX_ACTIONS: integer(200, 1, 10_000),
  /**
   * How long actions of an id that never got identified are kept (s): anonymous visitors'
   * streams expire sooner; an `$identify` moves them into the user's, kept ACTIVITY_RETENTION_S.
   */
  ACTIVITY_ANONYMOUS_RETENTION_S: integer(7200, 60, 90 * 86_400),
  /** Events one client IP may send per minute with the public capture key. */
  CAPTURE_IP_EVENTS_PER_MINUTE: integer(6000, 1, 10_000_000),
  /** Distinct ids one client IP may create per hour with the public capture key. */
  CAPTURE_IP_NEW_USERS_PER_HOUR: integer(1000, 1, 10_000_000),
  /** Most distinct users one request with the public capture key may carry. */
  CAPTURE_MAX_USERS_PER_REQUEST: integer(100, 1, 1000),
  /** An event retried with the same uuid within this many seconds is stored once. */
  CAPTURE_DEDUPE_WINDOW_S: integer(7200, 60, 7 * 86_400),
  /** CPU time one capture request may spend describing its events (ms); the rest get 413. */
  CAPTURE_CPU_BUDGET_MS: integer(250, 5, 10_000),
  /** Worker threads that decode and extract large capture bodies off the event loop (0: none). */
  CAPTURE_DECODE_THREADS: integer(1, 0, 16),
  /** Share of Redis `maxmemory` above which capture answers 503. */
  REDIS_MEMORY_HIGH_WATER: share(0.9),
  /**
   * PostHog passthrough (unset: off): `us`, `eu`, or a PostHog ingestion URL. Every posthog-js and
   * posthog-node request is forwarded there unchanged and its answer returned; Threadline keeps a copy.
   */
  POSTHOG_UPSTREAM: upstreamSetting(['us', 'eu']),
  /** The assets host (`/static/…`, `/array/…`) for a custom POSTHOG_UPSTREAM (derived for us/eu). */
  POSTHOG_ASSETS_UPSTREAM: upstreamSetting(),
  /**
   * Segment passthrough (unset: off): the Tracking API's URL with its `/v1` (e.g. `https://api.segment.io/v1`,
   * or the EU host). Every `/segment/v1/…` request is forwarded there unchanged; Threadline keeps a copy.
   */
  SEGMENT_UPSTREAM: upstreamSetting(),
  /** Amplitude passthrough (unset: off): `us`, `eu`, or an HTTP V2 host. Every `/amplitude/…` request is forwarded. */
  AMPLITUDE_UPSTREAM: upstreamSetting(['us', 'eu']),
  /** Most copies of forwarded requests waiting in the capture spool; past it a copy is not kept. */
  CAPTURE_SPOOL_MAX_ENTRIES: integer(100_000, 100, 10_000_000),
  /** Most bytes (Redis's own measure of the stream) the capture spool may hold; past it a copy is not kept. */
  CAPTURE_SPOOL_MAX_BYTES: integer(256 * 1024 * 1024, 1024 * 1024, 64 * 1024 * 1024 * 1024),
  /** How long a forwarded request may wait for the upstream to connect, answer or send its body (ms). */
  UPSTREAM_TIMEOUT_MS: integer(10_000, 100, 120_000),
  /** Proxies whose X-Forwarded-For gives the client IP (unset: none). */
  TRUST_PROXY: trustProxy,
  /** Raw notes visible before a summary replaces the older ones; 0: never summarize, never redact. */
  SUMMARIZE_AFTER_NOTES: integer(8, 0, 1000),
  /** A link with no reply and no open/close event for this many days ends, and its keys expire. */
  LINK_IDLE_DAYS: integer(14, 1, 365),
  OPENAI_API_KEY: optionalText,
  OPENAI_BASE_URL: z.url({ error: 'must be an http(s) URL' }).optional(),
  OPENAI_MODEL: z.string().trim().default('gpt-4.1-mini'),
  /** One LLM attempt's time limit (ms); one retry, then the extractive summarizer writes instead. */
  OPENAI_TIMEOUT_MS: integer(15_000, 100, 300_000),
  ADMIN_TOKEN: optionalText,
  /** A second admin token that sees the queue dashboard read-only (unset: none). */
  ADMIN_READ_TOKEN: optionalText,
  /**
   * A listener of its own for `/metrics` and `/readyz` (unset: none, and `/metrics` on the API port
   * answers only to requests from 127.0.0.1 / ::1).
   */
  METRICS_PORT: z.coerce.number({ error: 'must be a port number' }).int().min(1).max(65535).optional(),
  WORKER_CONCURRENCY: integer(8, 1, 500),
  /** Port of the worker's own /metrics and /healthz (unset: none). */
  WORKER_METRICS_PORT: z.coerce.number({ error: 'must be a port number' }).int().min(1).max(65535).optional(),
  /** BullMQ job lock: a job whose worker died is taken over once this lapses (ms). */
  WORKER_LOCK_MS: integer(30_000, 1000, 600_000),
  /** How often workers look for jobs whose worker died (BullMQ `stalledInterval`, ms). */
  WORKER_STALLED_CHECK_MS: integer(30_000, 500, 600_000),
  SHUTDOWN_TIMEOUT_MS: integer(10_000, 100, 600_000),
  /** How long `GET /v1/stream` can resume from a `Last-Event-ID` (s): each product's feed keeps this long. */
  STREAM_RETENTION_S: integer(3600, 60, 7 * 86_400),
  /** Most actions a product's feed keeps, whatever their age. */
  STREAM_MAX_ENTRIES: integer(100_000, 100, 10_000_000),
  /** Live streams one access key may hold open at once, across every API replica. */
  STREAM_MAX_PER_KEY: integer(10, 1, 10_000),
  /** A comment line on an idle stream this often (ms). */
  STREAM_HEARTBEAT_MS: integer(15_000, 1000, 300_000),
  /** Bytes a stream may have waiting for a slow client before it is cut off. */
  STREAM_MAX_BUFFER_BYTES: integer(1_048_576, 16_384, 268_435_456),
  /** Push webhooks: at most this many actions per POST. */
  PUSH_BATCH_MAX_ACTIONS: integer(100, 1, 1000),
  /** Push webhooks: a batch waits at most this long for more actions (ms). */
  PUSH_BATCH_MAX_WAIT_MS: integer(1000, 0, 60_000),
  /** Push webhooks: one POST's time limit (ms). */
  PUSH_TIMEOUT_MS: integer(10_000, 100, 60_000),
  /** Push webhooks: the first retry's delay (ms); each next one doubles, at most an hour. */
  PUSH_RETRY_BASE_MS: integer(1000, 10, 3_600_000),
  /** Push webhooks: a batch failing for this long disables its subscription (ms). */
  PUSH_RETRY_FOR_MS: integer(86_400_000, 1000, 7 * 86_400_000),
  /** Allows http and private, loopback and link-local push targets (tests, local receivers). */
  SUBSCRIPTIONS_ALLOW_PRIVATE: booleanFlag,
});

/** Which process reads the config: each requires only what it uses. */
export type ProcessRole = 'api' | 'worker' | 'cli';

const present = (value: string | undefined) => value !== undefined && value.trim() !== '';

/**
 * Rules that relate two variables, or that only one process needs. They run on the raw environment, so they are reported together with
 * the per-variable problems instead of after them.
 */
export function crossVariableProblems(env: Record<string, string | undefined>, role: ProcessRole): string[] {
  const problems: string[] = [];
  if (role === 'api' && !present(env.CAPTURE_API_KEY)) {
    problems.push('CAPTURE_API_KEY: required: the public key capture clients send as api_key / token');
  }
  if (role === 'worker' && !present(env.INTERCOM_ACCESS_TOKEN)) {
    problems.push(
      'INTERCOM_ACCESS_TOKEN: required by the worker (npm start runs the Intercom sandbox and sets it when unset)',
    );
  }
  if (present(env.INTERCOM_ACCESS_TOKEN) && !present(env.INTERCOM_CLIENT_SECRET)) {
    problems.push(
      'INTERCOM_CLIENT_SECRET: required when INTERCOM_ACCESS_TOKEN is set (it is the key of webhook signatures)',
    );
  }
  if (present(env.INTERCOM_CLIENT_ID)) {
    if (!present(env.THREADLINE_ENCRYPTION_KEY)) {
      problems.push(
        'THREADLINE_ENCRYPTION_KEY: required when INTERCOM_CLIENT_ID is set (workspace tokens are encrypted with it; make one with: openssl rand -base64 32)',
      );
    }
    if (!present(env.INTERCOM_CLIENT_SECRET)) {
      problems.push(
        "INTERCOM_CLIENT_SECRET: required when INTERCOM_CLIENT_ID is set (the app's client secret: code exchange and webhook signatures)",
      );
    }
    if (role === 'api' && !present(env.THREADLINE_PUBLIC_URL)) {
      problems.push(
        'THREADLINE_PUBLIC_URL: required when INTERCOM_CLIENT_ID is set (the OAuth redirect URL is <it>/oauth/intercom/callback)',
      );
    }
  }
  const identity = env.CAPTURE_IDENTITY?.trim();
  if ((identity === 'mark' || identity === 'require') && !present(env.INTERCOM_IDENTITY_SECRET)) {
    problems.push(
      `CAPTURE_IDENTITY: ${identity} needs INTERCOM_IDENTITY_SECRET (the Messenger identity secret) to check events`,
    );
  }
  if (present(env.CAPTURE_SERVER_KEY) && (env.CAPTURE_SERVER_KEY ?? '').trim().length < 16) {
    problems.push('CAPTURE_SERVER_KEY: must be at least 16 characters');
  }
  if (present(env.CAPTURE_SERVER_KEY) && env.CAPTURE_SERVER_KEY?.trim() === env.CAPTURE_API_KEY?.trim()) {
    problems.push('CAPTURE_SERVER_KEY: must differ from CAPTURE_API_KEY (that one ships in every page)');
  }
  if (present(env.POSTHOG_ASSETS_UPSTREAM) && !present(env.POSTHOG_UPSTREAM)) {
    problems.push('POSTHOG_ASSETS_UPSTREAM: needs POSTHOG_UPSTREAM (the ingestion host it goes with)');
  }
  if (present(env.ADMIN_TOKEN) && (env.ADMIN_TOKEN ?? '').trim().length < 16) {
    problems.push('ADMIN_TOKEN: must be at least 16 characters');
  }
  if (present(env.ADMIN_READ_TOKEN)) {
    const readToken = (env.ADMIN_READ_TOKEN ?? '').trim();
    if (readToken.length < 16) problems.push('ADMIN_READ_TOKEN: must be at least 16 characters');
    else if (readToken === (env.ADMIN_TOKEN ?? '').trim()) {
      problems.push('ADMIN_READ_TOKEN: must differ from ADMIN_TOKEN');
    }
  }
  if (present(env.METRICS_PORT) && (env.METRICS_PORT ?? '').trim() === (env.PORT ?? '8080').trim()) {
    problems.push('METRICS_PORT: must differ from PORT (it is a listener of its own)');
  }
  if (
    role !== 'cli' &&
    sandboxClientSecrets.includes((env.INTERCOM_CLIENT_SECRET ?? '').trim()) &&
    !isSandboxUrl(env.INTERCOM_API_BASE_URL ?? 'https://api.intercom.io')
  ) {
    problems.push(
      'INTERCOM_CLIENT_SECRET: is the public sandbox secret, but INTERCOM_API_BASE_URL is not the sandbox: ' +
        "set your Intercom app's client secret (Developer Hub → Basic information)",
    );
  }
  return problems;
}

/** Secrets the sandbox setups fill in; anyone can sign a webhook with them. */
const sandboxClientSecrets = ['sandbox-client-secret'];

/** The Intercom sandbox runs on this machine (loopback) or as the compose service `sandbox`. */
function isSandboxUrl(value: string): boolean {
  try {
    const host = new URL(value).hostname.replace(/^\[|\]$/g, '');
    return host === 'localhost' || host === 'sandbox' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
}

export type RawConfig = z.infer<typeof configSchema>;
