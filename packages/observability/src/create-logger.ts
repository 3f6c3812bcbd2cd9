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
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  return destination ? pino(options, destination) : pino(options);
}
