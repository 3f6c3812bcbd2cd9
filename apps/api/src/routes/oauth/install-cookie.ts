/** The cookie that binds an install's state to the browser that started it. */
export const installCookieName = 'threadline_oauth';

const cookiePath = '/oauth/intercom';

/**
 * `Secure` always, but for plain-http localhost during development (`THREADLINE_PUBLIC_URL=http://localhost…`),
 * where a browser would drop a Secure cookie set over http on any other host.
 */
export function isSecureCookie(publicUrl: string): boolean {
  const url = new URL(publicUrl);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const isLocal = host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
  return url.protocol === 'https:' || !isLocal;
}

function attributes(publicUrl: string): string {
  return `Path=${cookiePath}; HttpOnly; SameSite=Lax${isSecureCookie(publicUrl) ? '; Secure' : ''}`;
}

export function setInstallCookie(value: string, maxAgeSeconds: number, publicUrl: string): string {
  return `${installCookieName}=${value}; Max-Age=${maxAgeSeconds}; ${attributes(publicUrl)}`;
}

export function clearInstallCookie(publicUrl: string): string {
  return `${installCookieName}=; Max-Age=0; ${attributes(publicUrl)}`;
}

/** The install cookie's value from a `Cookie` header, or undefined. */
export function installCookieOf(header: string | undefined): string | undefined {
  for (const pair of (header ?? '').split(';')) {
    const separator = pair.indexOf('=');
    if (separator === -1) continue;
    if (pair.slice(0, separator).trim() !== installCookieName) continue;
    const value = pair.slice(separator + 1).trim();
    return /^[\w-]{16,128}$/.test(value) ? value : undefined;
  }
  return undefined;
}
