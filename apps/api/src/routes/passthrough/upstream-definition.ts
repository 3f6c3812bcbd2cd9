import type { UpstreamHosts } from '@threadline/config';
import type { CopySource } from '@threadline/core';
import { capturePaths } from '../capture/capture-routes.js';
import { amplitudePaths } from '../sources/amplitude-routes.js';

/**
 * One source's passthrough: which requests are its, where each goes, and which Threadline copies.
 * PostHog owns the root; Segment owns `/segment/v1` and Amplitude `/amplitude`.
 */
export interface UpstreamDefinition {
  /** Whose decoder reads the copies, and the name in logs: `posthog`, `segment`, `amplitude`. */
  source: CopySource;
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
    // The app ignores a trailing slash, so `/e/` is the capture path `/e` as well.
    isCopied: (path) => copied.has(withoutTrailingSlash(path)),
    maxBodyBytes: posthogMaxBodyBytes,
  };
}

/** The trailing slash of a path, which the app ignores, left out. */
function withoutTrailingSlash(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

/** Segment's calls that carry events (the HTTP Tracking API's and analytics.js's); `/m` is telemetry. */
const segmentCalls = new Set(['track', 'page', 'screen', 'identify', 'group', 'alias', 'batch', 'import']);
const analyticsJsCalls = new Set(['t', 'p', 's', 'i', 'g', 'a', 'b']);

/** Forwarding bound of a source body: well past what Segment (500 KB) or Amplitude (1 MB) take, which they refuse themselves. */
const sourceMaxBodyBytes = 8 * 1024 * 1024;

/**
 * SEGMENT_UPSTREAM (the Tracking API with its `/v1`): `/segment/v1/<rest>` goes to `<upstream>/<rest>`,
 * analytics.js's one-letter paths (`/t`, `/p`, … as `api.segment.io/v1/t` takes them) included.
 */
export function segmentUpstream(upstream: string): UpstreamDefinition {
  const prefix = '/segment/v1';
  return {
    source: 'segment',
    prefix,
    targetOf: (path) => `${upstream}${path.slice(prefix.length)}`,
    isCopied: (path) => {
      const call = withoutTrailingSlash(path).slice(prefix.length + 1);
      return segmentCalls.has(call) || analyticsJsCalls.has(call);
    },
    maxBodyBytes: sourceMaxBodyBytes,
  };
}

/** AMPLITUDE_UPSTREAM (an HTTP V2 host): `/amplitude/<rest>` goes to `<upstream>/<rest>`. */
export function amplitudeUpstream(upstream: string): UpstreamDefinition {
  const prefix = '/amplitude';
  const copied = new Set<string>(amplitudePaths);
  return {
    source: 'amplitude',
    prefix,
    targetOf: (path) => `${upstream}${path.slice(prefix.length)}`,
    isCopied: (path) => copied.has(withoutTrailingSlash(path)),
    maxBodyBytes: sourceMaxBodyBytes,
  };
}
