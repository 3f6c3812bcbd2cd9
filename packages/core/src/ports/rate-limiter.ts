export interface RateLimitDecision {
  isAllowed: boolean;
  /** Until the current window ends: when a refused caller may try again. */
  retryAfterMs: number;
}

/** Counts requests per bucket (e.g. one access key) in fixed windows shared by every API replica. */
export interface RateLimiter {
  hit(bucket: string, limit: number, windowMs: number): Promise<RateLimitDecision>;
}
