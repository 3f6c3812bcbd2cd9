/**
 * Where the control routes may send signed webhooks. They are unauthenticated, so an open target would
 * let anyone who reaches the sandbox make it POST to any URL (SSRF) with a valid signature.
 */
export type WebhookTargetPolicy = (url: string) => boolean;

function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * With `allowed` URLs (SANDBOX_WEBHOOK_URL): only those, compared as parsed URLs. Without: any
 * http(s) URL on this machine's loopback (tests and `npm start` run the API there).
 */
export function webhookTargetPolicy(allowed: readonly string[] | undefined): WebhookTargetPolicy {
  const allowedHrefs = allowed?.map((url) => new URL(url).href);
  return (url) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return false;
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return false;
    if (parsed.username || parsed.password) return false;
    return allowedHrefs ? allowedHrefs.includes(parsed.href) : isLoopbackHost(parsed.hostname);
  };
}
