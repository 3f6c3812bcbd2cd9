import { createHmac } from 'node:crypto';

/** Signs a body the way Intercom does, independently of the verifier under test. */
export function intercomSignature(
  body: string | Buffer,
  secret: string,
  algorithm: 'sha1' | 'sha256' = 'sha1',
): string {
  return `${algorithm}=${createHmac(algorithm, secret).update(body).digest('hex')}`;
}
