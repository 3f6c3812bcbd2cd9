import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

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
 * The id of an `MCP_API_KEYS` key: `env-` and 12 hex digits of an HMAC of the key under the
 * deployment's key-id secret. It names the key in `keys list` and in logs; without the secret (kept in
 * Redis, never logged) it cannot be used to check a guess of the key offline, as a plain hash could.
 */
export function environmentKeyId(key: string, idSecret: string): string {
  if (idSecret.length < 32) throw new Error('the key-id secret must be at least 32 characters');
  return `env-${createHmac('sha256', idSecret).update(`threadline access key id\0${key}`, 'utf8').digest('hex').slice(0, 12)}`;
}

/**
 * The id environment keys had before key ids were keyed (`env-` and the start of the key's plain
 * SHA-256). Only to remove what was recorded under it; never shown or logged.
 */
export function legacyEnvironmentKeyId(key: string): string {
  return `env-${hashAccessKey(key).slice(0, 12)}`;
}

/** The keys of `MCP_API_KEYS`, hashed, each with its id (see `environmentKeyId`). */
export function environmentAccessKeys(
  pairs: { key: string; productId: string }[],
  idSecret: string,
): EnvironmentAccessKey[] {
  return pairs.map(({ key, productId }) => ({
    id: environmentKeyId(key, idSecret),
    productId,
    keyHash: hashAccessKey(key),
  }));
}

/** The key of an `Authorization: Bearer <key>` header, or null when there is none. */
export function bearerKeyOf(authorization: string | undefined): string | null {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? '');
  return match?.[1] ?? null;
}
