import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths pino blanks out wherever they appear in a log object. Tokens, secrets and product data
 * (event properties, note bodies) never reach a log line.
 */
export const redactedLogPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-hub-signature"]',
  'req.headers["x-hub-signature-256"]',
  'req.headers["x-posthog-secret"]',
  'headers.authorization',
  '*.token',
  '*.accessToken',
  '*.apiKey',
  '*.api_key',
  '*.clientSecret',
  '*.secret',
  '*.password',
  '*.properties',
  '*.body',
  'token',
  'accessToken',
  'apiKey',
  'clientSecret',
  'properties',
  'body',
];

/** The parts of a Fastify request a log line may carry: never the URL, its query or its ids. */
interface LoggedRequest {
  method?: string;
  ip?: string;
  routeOptions?: { url?: string };
}

/**
 * `req` on request log lines: the method and the route pattern (`/v1/users/:productId/:userId/activity`),
 * never the URL, whose path and query carry user ids and whole events (`/e?data=…`).
 */
export function requestSerializer(request: LoggedRequest): Record<string, unknown> {
  return {
    method: request.method,
    route: request.routeOptions?.url ?? '(no route)',
    remoteAddress: request.ip,
  };
}

// Keys whose values are payloads: ioredis puts a command's arguments (keys with user ids, action JSON,
// job data) in `command.args`; BullMQ jobs carry their data.
const payloadKeys = new Set(['args', 'data', 'job', 'input', 'payload', 'previousArgs']);

function withoutPayloads(value: unknown, depth: number): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => withoutPayloads(item, depth + 1));
  const kept: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    kept[key] = payloadKeys.has(key) ? '[redacted]' : withoutPayloads(item, depth + 1);
  }
  return kept;
}

/** `err`: pino's error serializer, then every payload inside it (`command.args`, job data) dropped. */
export function errorSerializer(error: unknown): unknown {
  return withoutPayloads(pino.stdSerializers.err(error as Error), 0);
}

/** `job`: a BullMQ job by its id, name and attempts, never its data. */
export function jobSerializer(job: unknown): unknown {
  if (job === null || typeof job !== 'object') return job;
  const { id, name, attemptsMade, queueName } = job as Record<string, unknown>;
  return { id, name, attemptsMade, queueName };
}

export interface LoggerSettings {
  level: string;
  /** Bound to every line, e.g. `{ service: 'worker' }`. */
  bindings?: Record<string, unknown>;
}

/** The one way a Threadline process makes its root logger. */
export function createLogger(settings: LoggerSettings, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level: settings.level,
    base: { ...settings.bindings },
    redact: { paths: redactedLogPaths, censor: '[redacted]' },
    serializers: { req: requestSerializer, err: errorSerializer, job: jobSerializer },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  return destination ? pino(options, destination) : pino(options);
}
