import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Keys made by `threadline keys create`: `tlk_<id>_<secret>`. The id (12 hex digits) finds the stored
 * record; the whole key is checked against the record's SHA-256 in constant time.
 */
const createdKeyPattern = /^tlk_([0-9a-f]{12})_[A-Za-z0-9_-]{43}$/;

/** A key from `MCP_API_KEYS`, hashed once at start. */
export interface EnvironmentAccessKey {
  id: string;
  productId: string;
  keyHash: string;
}

/** SHA-256 of a key, hex: the only form in which keys are kept or compared. */
export function hashAccessKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Compares two SHA-256 hex digests in constant time (malformed input never matches). */
export function isSameKeyHash(left: string, right: string): boolean {
  const a = Buffer.from(left, 'hex');
  const b = Buffer.from(right, 'hex');
  return a.length === 32 && b.length === 32 && timingSafeEqual(a, b);
}

/** A new key and its id; the caller shows the key once and stores only its hash. */
export function generateAccessKey(): { id: string; key: string } {
  const id = randomBytes(6).toString('hex');
  return { id, key: `tlk_${id}_${randomBytes(32).toString('base64url')}` };
}

/** The id inside a CLI-made key, or null for any other string. */
export function accessKeyIdOf(key: string): string | null {
  return createdKeyPattern.exec(key)?.[1] ?? null;
}

/**
 * The keys of `MCP_API_KEYS`, hashed. Their id (`env-` and the start of the hash) names them in
 * `keys list` and in logs without revealing them.
 */
export function environmentAccessKeys(pairs: { key: string; productId: string }[]): EnvironmentAccessKey[] {
  return pairs.map(({ key, productId }) => {
    const keyHash = hashAccessKey(key);
    return { id: `env-${keyHash.slice(0, 12)}`, productId, keyHash };
  });
}

/** The key of an `Authorization: Bearer <key>` header, or null when there is none. */
export function bearerKeyOf(authorization: string | undefined): string | null {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? '');
  return match?.[1] ?? null;
}
