import { timingSafeEqual } from 'node:crypto';

/** Which of the project's keys a capture request carries. */
export type CaptureKeyKind = 'public' | 'server';

/** The configured capture keys: the public one ships in pages, the server one stays on backends. */
export interface CaptureKeys {
  apiKey: string | undefined;
  serverKey?: string | undefined;
}

function sameSecret(received: string, expected: string): boolean {
  const a = Buffer.from(received);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Which key a request used (`CAPTURE_API_KEY` or `CAPTURE_SERVER_KEY`), compared in constant time,
 * or null for none of them. Events sent with the server key count as verified.
 */
export function captureKeyKind(received: string | undefined, keys: CaptureKeys): CaptureKeyKind | null {
  if (!received) return null;
  // Both are compared, so the time taken does not say which one a guess came close to.
  const isServer = keys.serverKey !== undefined && sameSecret(received, keys.serverKey);
  const isPublic = keys.apiKey !== undefined && sameSecret(received, keys.apiKey);
  if (isServer) return 'server';
  return isPublic ? 'public' : null;
}
