import { isIP } from 'node:net';
import { z } from 'zod';

/** Where one source's requests are forwarded: the ingestion origin, and the assets origin (PostHog). */
export interface UpstreamHosts {
  /** Every path not served by `assets` (for PostHog: capture, `/s/`, `/flags`, `/decide`, …). */
  ingestion: string;
  /** `/static/…` and `/array/…` (for PostHog); equal to `ingestion` where a source has no assets host. */
  assets: string;
}

const posthogRegions = {
  us: { ingestion: 'https://us.i.posthog.com', assets: 'https://us-assets.i.posthog.com' },
  eu: { ingestion: 'https://eu.i.posthog.com', assets: 'https://eu-assets.i.posthog.com' },
} as const;

/** Hosts that may be reached over plain http: loopback and private networks (a local test double, a sidecar). */
function isPrivateHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.internal')) return true;
  // A single-label name (`posthog`, a compose service) resolves only inside a private network.
  if (isIP(host) === 0) return !host.includes('.');
  if (isIP(host) === 6) return host === '::1' || /^f[cd]/.test(host) || /^fe[89ab]/.test(host);
  const [a = 0, b = 0] = host.split('.').map(Number);
  return a === 127 || a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
}

/** An upstream origin (with an optional path), or a problem for the variable's line. */
function parseUpstreamUrl(value: string): string | { problem: string } {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { problem: `"${value}" is not a URL (e.g. https://us.i.posthog.com)` };
  }
  if (!(url.protocol === 'https:' || (url.protocol === 'http:' && isPrivateHost(url.hostname)))) {
    return { problem: 'must be https (plain http only for a loopback or private-network host)' };
  }
  if (url.username || url.password || url.search || url.hash) {
    return { problem: 'must be a URL with no credentials, query or fragment' };
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** An optional upstream URL variable; `regions` are names accepted as they are (`us`, `eu`). */
export const upstreamSetting = (regions: readonly string[] = []) =>
  z
    .string()
    .trim()
    .optional()
    .transform((value, context) => {
      if (value === undefined || value === '') return undefined;
      if (regions.includes(value)) return value;
      const parsed = parseUpstreamUrl(value);
      if (typeof parsed === 'string') return parsed;
      context.addIssue({
        code: 'custom',
        message: regions.length > 0 ? `${parsed.problem}; or one of ${regions.join(', ')}` : parsed.problem,
      });
      return z.NEVER;
    });

/**
 * POSTHOG_UPSTREAM: `us`, `eu`, or the URL of a PostHog ingestion host. The assets host is
 * POSTHOG_ASSETS_UPSTREAM when set, else PostHog's for the region (also when the URL is a region's
 * ingestion host), else the ingestion host itself (a self-hosted PostHog serves both).
 */
export function posthogUpstreamHosts(
  upstream: string | undefined,
  assetsUpstream: string | undefined,
): UpstreamHosts | undefined {
  if (upstream === undefined) return undefined;
  const region =
    upstream === 'us' || upstream === 'eu'
      ? posthogRegions[upstream]
      : Object.values(posthogRegions).find((hosts) => hosts.ingestion === upstream);
  const ingestion = region?.ingestion ?? upstream;
  return { ingestion, assets: assetsUpstream ?? region?.assets ?? ingestion };
}

/** Amplitude's HTTP V2 hosts (`/2/httpapi`, `/batch`) per data region. */
const amplitudeRegions = { us: 'https://api2.amplitude.com', eu: 'https://api.eu.amplitude.com' } as const;

/** AMPLITUDE_UPSTREAM: `us`, `eu` (Amplitude's HTTP V2 hosts), or the URL of such a host. */
export function amplitudeUpstreamHost(upstream: string | undefined): string | undefined {
  if (upstream === 'us' || upstream === 'eu') return amplitudeRegions[upstream];
  return upstream;
}
