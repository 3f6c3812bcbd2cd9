export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export type CheckName =
  | 'config'
  | 'sources'
  | 'redis'
  | 'eviction'
  | 'memory'
  | 'persistence'
  | 'workers'
  | 'intercom'
  | 'token'
  | 'read-contact'
  | 'read-conversation'
  | 'write-note'
  | 'redact'
  | 'admin'
  | 'webhook-ping'
  | 'signature'
  | 'topics'
  | 'public-url';

export interface Check {
  name: CheckName;
  status: CheckStatus;
  summary: string;
  /** One line each, e.g. every configuration problem. */
  details: string[];
  /** What to do about a warning or a failure, in one line. */
  fix?: string;
}

export const check = (
  name: CheckName,
  status: CheckStatus,
  summary: string,
  details: string[] = [],
  extra: { fix?: string } = {},
): Check => ({ name, status, summary, details, ...(extra.fix ? { fix: extra.fix } : {}) });
