import type { UpstreamHosts } from '@threadline/config';
import { capturePaths } from '../capture/capture-routes.js';

/**
 * One source's passthrough: which requests are its, where each goes, and which Threadline copies.
 * PostHog owns the root; Segment and Amplitude would own `/segment/v1` and `/amplitude`.
 */
export interface UpstreamDefinition {
  /** For logs: `posthog`, `segment`, `amplitude`. */
  source: string;
  /** Requests whose path is this prefix or under it are forwarded (`/` takes every path). */
  prefix: string;
  /** The upstream URL of a request path (the query is added as received). */
  targetOf(path: string): string;
  /** Whether Threadline records a copy of the requests to this path. */
  isCopied(path: string): boolean;
  /** The largest request body forwarded (bytes); a larger one is answered 413 and not forwarded. */
  maxBodyBytes: number;
}

/** PostHog asks proxies to accept 64 MB: session recordings can be that large. */
const posthogMaxBodyBytes = 64 * 1024 * 1024;

/**
 * PostHog's own routing for reverse proxies: `/static/*` (the SDK and its lazy bundles) and `/array/*`
 * (remote config) on the assets host, everything else on the ingestion host.
 */
export function posthogUpstream(hosts: UpstreamHosts): UpstreamDefinition {
  const copied = new Set(capturePaths);
  return {
    source: 'posthog',
    prefix: '/',
    targetOf: (path) =>
      `${path.startsWith('/static/') || path.startsWith('/array/') ? hosts.assets : hosts.ingestion}${path}`,
    // The capture routes ignore a trailing slash (posthog-js posts `/e/`), so the copy does too.
    isCopied: (path) => copied.has(path.replace(/(.)\/$/, '$1')),
    maxBodyBytes: posthogMaxBodyBytes,
  };
}
