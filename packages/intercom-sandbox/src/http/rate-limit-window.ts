/** The rate-limit state a response reports in its `X-RateLimit-*` headers. */
export interface RateLimitStatus {
  isAllowed: boolean;
  limit: number;
  remaining: number;
  /** Epoch seconds at which the current window ends. */
  resetAt: number;
  /** Whole seconds until then, at least 1. */
  retryAfterSeconds: number;
}

const windowMs = 10_000;

/**
 * A fixed 10-second window counter, as Intercom applies its per-app limit
 * (distributed over 10-second periods). Windows are aligned to the epoch.
 */
export class RateLimitWindow {
  private windowStart = 0;
  private used = 0;

  constructor(
    private readonly limit: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one request and says whether it fits in the current window. */
  consume(): RateLimitStatus {
    this.roll();
    const isAllowed = this.used < this.limit;
    if (isAllowed) this.used += 1;
    return this.status(isAllowed);
  }

  /** The current state without counting a request. */
  peek(): RateLimitStatus {
    this.roll();
    return this.status(this.used < this.limit);
  }

  /** Starts afresh. */
  reset(): void {
    this.windowStart = 0;
    this.used = 0;
  }

  private roll(): void {
    const start = Math.floor(this.now() / windowMs) * windowMs;
    if (start !== this.windowStart) {
      this.windowStart = start;
      this.used = 0;
    }
  }

  private status(isAllowed: boolean): RateLimitStatus {
    const endMs = this.windowStart + windowMs;
    return {
      isAllowed,
      limit: this.limit,
      remaining: Math.max(0, this.limit - this.used),
      resetAt: Math.ceil(endMs / 1000),
      retryAfterSeconds: Math.max(1, Math.ceil((endMs - this.now()) / 1000)),
    };
  }
}
