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

/** Longer than any key Threadline makes: a longer string is no key, and is not looked up. */
const maxPresentedKeyLength = 128;

/**
 * `{ presentedKey }` when a request carried a key that is neither of the environment's (`kind` null),
 * for the lookup among installed workspaces' keys; `{}` otherwise.
 */
export function presentedKeyOf(
  kind: CaptureKeyKind | null,
  received: string | undefined,
): { presentedKey?: string } {
  if (kind || !received || received.length > maxPresentedKeyLength) return {};
  return { presentedKey: received };
}
