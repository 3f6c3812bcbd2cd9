import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** What an admin session may do: `admin` everything, `read` only look at the dashboard. */
export type AdminRole = 'admin' | 'read';

/** The tokens that open a session; each role exists only when its token is set. */
export interface AdminTokens {
  admin: string | undefined;
  read: string | undefined;
}

/** How long a session lasts after login. */
export const adminSessionSeconds = 8 * 60 * 60;

/** Compares two strings in constant time for their length (different lengths never match). */
export function isSameSecret(received: string, expected: string): boolean {
  const a = Buffer.from(received);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The role a presented token opens, or null. Both tokens are compared, whatever the first gives. */
export function roleOfToken(token: string, tokens: AdminTokens): AdminRole | null {
  const isAdmin = tokens.admin !== undefined && isSameSecret(token, tokens.admin);
  const isReader = tokens.read !== undefined && isSameSecret(token, tokens.read);
  return isAdmin ? 'admin' : isReader ? 'read' : null;
}

// The signing key comes from the role's token, so changing a token ends every session it opened.
function signature(payload: string, token: string): string {
  const key = createHmac('sha256', token).update('threadline admin session v1').digest();
  return createHmac('sha256', key).update(payload).digest('base64url');
}

/**
 * A session cookie value: `<role>.<expires, unix seconds>.<random>.<HMAC>`. Nothing is stored on the
 * server; the HMAC proves it was issued here and the expiry bounds it.
 */
export function issueAdminSession(role: AdminRole, tokens: AdminTokens, now: Date): string {
  const token = tokens[role];
  if (!token) throw new Error(`no token for the ${role} role`);
  const expires = Math.floor(now.getTime() / 1000) + adminSessionSeconds;
  const payload = `${role}.${expires}.${randomBytes(16).toString('base64url')}`;
  return `${payload}.${signature(payload, token)}`;
}

/** The role of a valid, unexpired session cookie value, or null. */
export function readAdminSession(value: string, tokens: AdminTokens, now: Date): AdminRole | null {
  const match = /^(admin|read)\.(\d{1,12})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/.exec(value);
  if (!match) return null;
  const [, role, expires, , mac] = match as unknown as [string, AdminRole, string, string, string];
  const token = tokens[role];
  if (!token || Number(expires) * 1000 <= now.getTime()) return null;
  const payload = value.slice(0, value.lastIndexOf('.'));
  return isSameSecret(mac, signature(payload, token)) ? role : null;
}
