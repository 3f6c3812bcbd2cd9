import type { AccessKeyStore } from '../ports/access-key-store.js';
import type { AccessRateLimit, RateLimiter } from '../ports/rate-limiter.js';
import {
  accessKeyIdOf,
  bearerKeyOf,
  type EnvironmentAccessKey,
  hashAccessKey,
  isSameKeyHash,
} from './access-key.js';

/** Who is asking: a known key and the one product it may read. */
export interface AccessGrant {
  keyId: string;
  productId: string;
}

export type AccessOutcome =
  | { kind: 'granted'; grant: AccessGrant }
  | { kind: 'missing_key' }
  | { kind: 'unknown_key' }
  | { kind: 'rate_limited'; keyId: string; retryAfterSeconds: number };

export const defaultAccessRateLimit: AccessRateLimit = { requests: 600, windowMs: 60_000 };

export interface AuthenticateAccessDependencies {
  environmentKeys: EnvironmentAccessKey[];
  keys: AccessKeyStore;
  rateLimiter: RateLimiter;
  rateLimit: AccessRateLimit;
  now(): Date;
}

async function findKey(
  key: string,
  deps: AuthenticateAccessDependencies,
): Promise<{ id: string; productId: string } | null> {
  const keyHash = hashAccessKey(key);
  // Every environment key is compared, without stopping at a match, so the time taken says nothing.
  let found: EnvironmentAccessKey | null = null;
  for (const candidate of deps.environmentKeys) {
    if (isSameKeyHash(keyHash, candidate.keyHash)) found = candidate;
  }
  if (found) return found;
  const id = accessKeyIdOf(key);
  if (!id) return null;
  const record = await deps.keys.get(id);
  return record && isSameKeyHash(keyHash, record.keyHash) ? record : null;
}

/**
 * Checks the bearer key of a request to `/mcp` or the activity route and counts it against the key's
 * rate limit. Only the key's hash is used; the key itself goes nowhere.
 */
export async function authenticateAccess(
  authorization: string | undefined,
  deps: AuthenticateAccessDependencies,
): Promise<AccessOutcome> {
  const key = bearerKeyOf(authorization);
  if (!key) return { kind: 'missing_key' };
  const found = await findKey(key, deps);
  if (!found) return { kind: 'unknown_key' };
  const [decision] = await Promise.all([
    deps.rateLimiter.hit(`key:${found.id}`, deps.rateLimit.requests, deps.rateLimit.windowMs),
    deps.keys.recordUse(found.id, deps.now()),
  ]);
  if (!decision.isAllowed) {
    return {
      kind: 'rate_limited',
      keyId: found.id,
      retryAfterSeconds: Math.max(1, Math.ceil(decision.retryAfterMs / 1000)),
    };
  }
  return { kind: 'granted', grant: { keyId: found.id, productId: found.productId } };
}
