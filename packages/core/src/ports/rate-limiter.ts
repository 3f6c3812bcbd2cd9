export interface RateLimitDecision {
  isAllowed: boolean;
  /** Until the current window ends: when a refused caller may try again. */
  retryAfterMs: number;
}

/** Counts requests per bucket (e.g. one access key) in fixed windows shared by every API replica. */
export interface RateLimiter {
  hit(bucket: string, limit: number, windowMs: number): Promise<RateLimitDecision>;
}

/** The per-key limit of the access-key routes (`/mcp`, the activity API). */
export interface AccessRateLimit {
  /** Requests one key may make per window (default 600). */
  requests: number;
  /** Window length in milliseconds (default 60,000). */
  windowMs: number;
}
