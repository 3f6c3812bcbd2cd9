import { createHmac, timingSafeEqual } from 'node:crypto';

/** What an event may carry to prove its `distinct_id` (`$user_hash`, `$user_jwt`). */
export interface IdentityProof {
  userHash?: string | undefined;
  userJwt?: string | undefined;
}

/** Clocks of browsers and servers differ; Intercom's own checks allow about this much. */
export const jwtLeewaySeconds = 60;

/** A Messenger JWT is a few hundred characters; anything much longer is not one and is not parsed. */
const maxJwtChars = 4096;

const hexSha256 = /^[0-9a-f]{64}$/i;

function hmac(secret: string, text: string): Buffer {
  return createHmac('sha256', secret).update(text).digest();
}

/**
 * Intercom's `user_hash`: the hex HMAC-SHA256 of the user id with the identity secret. Compared in
 * constant time; case of the hex digits does not matter.
 */
export function isValidUserHash(distinctId: string, userHash: string, secret: string): boolean {
  if (!hexSha256.test(userHash)) return false;
  return timingSafeEqual(Buffer.from(userHash, 'hex'), hmac(secret, distinctId));
}

const base64Url = /^[A-Za-z0-9_-]*$/;

function decodeJsonSegment(segment: string): unknown {
  if (!base64Url.test(segment)) return undefined;
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/**
 * A Messenger identity JWT for this user: HS256 only (the header names `HS256`, so `none` or an
 * asymmetric algorithm is refused before anything else), the signature checked in constant time
 * before the claims are read, `user_id` equal to the distinct id, `exp` and `nbf` honoured with
 * {@link jwtLeewaySeconds}. A token without `exp` is accepted, as a `user_hash` never expires.
 */
export function isValidUserJwt(distinctId: string, token: string, secret: string, now: Date): boolean {
  if (token.length > maxJwtChars) return false;
  const parts = token.split('.');
  if (parts.length !== 3) return false;
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const header = decodeJsonSegment(headerPart);
  if (!isObject(header) || header.alg !== 'HS256') return false;
  if (!base64Url.test(signaturePart)) return false;
  const signature = Buffer.from(signaturePart, 'base64url');
  const expected = hmac(secret, `${headerPart}.${payloadPart}`);
  if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) return false;
  const claims = decodeJsonSegment(payloadPart);
  if (!isObject(claims)) return false;
  const userId = claims.user_id;
  if (!(typeof userId === 'string' || (typeof userId === 'number' && Number.isFinite(userId)))) return false;
  if (String(userId) !== distinctId) return false;
  const seconds = now.getTime() / 1000;
  if (claims.exp !== undefined && !(isNumericDate(claims.exp) && seconds <= claims.exp + jwtLeewaySeconds))
    return false;
  if (claims.nbf !== undefined && !(isNumericDate(claims.nbf) && seconds >= claims.nbf - jwtLeewaySeconds))
    return false;
  return true;
}

/** Whether the proof an event carries names its distinct id (either form is enough). */
export function isVerifiedIdentity(
  distinctId: string,
  proof: IdentityProof,
  secret: string,
  now: Date,
): boolean {
  if (proof.userHash !== undefined && isValidUserHash(distinctId, proof.userHash, secret)) return true;
  return proof.userJwt !== undefined && isValidUserJwt(distinctId, proof.userJwt, secret, now);
}
