/** Intercom's `X-RateLimit-*` headers of one answer. */
export interface RateLimitHeaders {
  /** Calls allowed in the window. */
  limit: number;
  /** Calls left in the window. */
  remaining: number;
  /** Epoch ms at which the window ends. */
  resetAtMs: number;
}

function header(headers: unknown, name: string): string | undefined {
  if (headers && typeof (headers as Headers).get === 'function')
    return (headers as Headers).get(name) ?? undefined;
  return undefined;
}

/** The rate-limit headers of an answer, or null when it carries none (or nonsense). */
export function readRateLimitHeaders(headers: unknown): RateLimitHeaders | null {
  const limit = Number(header(headers, 'x-ratelimit-limit'));
  const remaining = Number(header(headers, 'x-ratelimit-remaining'));
  const reset = Number(header(headers, 'x-ratelimit-reset'));
  if (!(limit > 0) || !Number.isFinite(remaining) || !(reset > 0)) return null;
  return { limit, remaining: Math.max(0, remaining), resetAtMs: reset * 1000 };
}
