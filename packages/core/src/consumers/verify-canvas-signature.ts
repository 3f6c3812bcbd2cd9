import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Canvas Kit's `X-Body-Signature`: the hex HMAC-SHA256 of the exact body with the app's client
 * secret. Compared in constant time; a missing, malformed or empty-secret case fails closed.
 */
export function verifyCanvasSignature(rawBody: Buffer, header: string | undefined, secret: string): boolean {
  if (secret.length === 0 || header === undefined) return false;
  const received = header.trim();
  if (received.length !== 64 || !/^[0-9a-f]{64}$/i.test(received)) return false;
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(received, 'hex'));
}
