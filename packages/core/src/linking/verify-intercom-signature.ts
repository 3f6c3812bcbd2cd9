import { createHmac, timingSafeEqual } from 'node:crypto';

export interface SignatureHeaders {
  /** `X-Hub-Signature: sha1=<hex>` */
  sha1?: string | undefined;
  /** `X-Hub-Signature-256: sha256=<hex>` */
  sha256?: string | undefined;
}

function matches(algorithm: 'sha1' | 'sha256', header: string, rawBody: Buffer, secret: string): boolean {
  const prefix = `${algorithm}=`;
  if (!header.startsWith(prefix)) return false;
  const received = header.slice(prefix.length).trim();
  const expectedHexLength = algorithm === 'sha1' ? 40 : 64;
  if (received.length !== expectedHexLength || !/^[0-9a-f]+$/i.test(received)) return false;
  const expected = createHmac(algorithm, secret).update(rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(received, 'hex'));
}

/**
 * Checks Intercom's HMAC over the exact raw bytes. When both headers are sent the stronger one
 * decides; a request with neither fails closed.
 */
export function verifyIntercomSignature(rawBody: Buffer, headers: SignatureHeaders, secret: string): boolean {
  if (secret.length === 0) return false;
  if (headers.sha256) return matches('sha256', headers.sha256, rawBody, secret);
  if (headers.sha1) return matches('sha1', headers.sha1, rawBody, secret);
  return false;
}
