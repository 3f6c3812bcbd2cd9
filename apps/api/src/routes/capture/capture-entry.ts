import {
  type CaptureLimits,
  captureKeyKind,
  defaultCaptureLimits,
  presentedKeyOf,
} from '@threadline/capture';
import { captureConfiguration } from '@threadline/composition';
import {
  type CapturedBatch,
  type CaptureEventsDependencies,
  type CaptureOutcome,
  captureEvents,
  chargeRefusedRequest,
  RecentRefusals,
  refusalBeforeBody,
  storageRefusal,
  storeCapturedBatch,
} from '@threadline/core';
import type { Metrics } from '@threadline/observability';
import type { ApiDependencies } from '../../dependencies.js';
import { captureClientOf, SlicedDescriber } from './capture-guards.js';

/** The longest capture requests describe events, all together, before other work runs (ms). */
const describeSliceMs = 2;

/** A capture request as any route received it (capture, or the PostHog passthrough after forwarding). */
export interface RawCapture {
  /** The body as received (undecoded bytes). */
  body: Uint8Array | undefined;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  query: Readonly<Record<string, unknown>>;
  /** The client's address as Fastify resolved it (`request.ip`, which honours TRUST_PROXY). */
  ip: string;
}

/** Capture as one process runs it: one refusal memory, one describer, shared by every route that feeds it. */
export interface CaptureEntry {
  limits: CaptureLimits;
  /** 503/429 answerable before the body is read (no Redis call), or null. */
  beforeBody(ip: string): CaptureOutcome | null;
  /** 503 while Redis is out, or null: for webhooks, which no per-IP refusal concerns. Counted. */
  storageOut(): CaptureOutcome | null;
  /** The whole use case for a raw request; every outcome is counted in the metrics. */
  capture(request: RawCapture): Promise<CaptureOutcome>;
  /**
   * Which capture key a source's request carries (`CAPTURE_API_KEY`, `CAPTURE_SERVER_KEY`, or null
   * with the key presented, which may be an installed workspace's): spread into a `CapturedBatch`.
   */
  keyOf(received: string | undefined): Pick<CapturedBatch, 'key' | 'presentedKey'>;
  /**
   * The use case after the read, for events a source decoded itself (Segment, Amplitude, the Segment
   * webhook), after `beforeBody` or `storageOut`; counted as `capture`'s outcomes are.
   */
  captureExtracted(batch: CapturedBatch, ip: string): Promise<CaptureOutcome>;
  /** A request refused before its events were known still cost its decoding: charged to the client's minute. */
  chargeRefused(ip: string): Promise<void>;
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Query values that are one string; repeated or structured values count as absent. */
function queryOf(query: Readonly<Record<string, unknown>>): Record<string, string | undefined> {
  const values: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(query))
    values[key] = typeof value === 'string' ? value : undefined;
  return values;
}

/** Every outcome in `events_refused_total` / `events_accepted_total`, by reason. */
export function countCaptureOutcome(
  metrics: Pick<Metrics, 'eventsAccepted' | 'eventsRefused'>,
  outcome: CaptureOutcome,
) {
  const { counts } = outcome;
  if (outcome.kind === 'refused') {
    if (outcome.reason === 'cpu_budget')
      metrics.eventsRefused.inc({ reason: 'cpu_budget' }, counts.overBudget);
    else metrics.eventsRefused.inc({ reason: outcome.reason });
  }
  if (counts.stored > 0) metrics.eventsAccepted.inc(counts.stored);
  if (counts.unverified > 0) metrics.eventsRefused.inc({ reason: 'unverified' }, counts.unverified);
  if (counts.duplicates > 0) metrics.eventsRefused.inc({ reason: 'duplicate' }, counts.duplicates);
  if (counts.expired > 0) metrics.eventsRefused.inc({ reason: 'expired' }, counts.expired);
  if (counts.skipped > 0) metrics.eventsRefused.inc({ reason: 'skipped' }, counts.skipped);
}

/**
 * Builds capture for one app. The PostHog passthrough calls `capture({ body, headers, query, ip })`
 * with the same raw bytes it forwarded, and gets the same outcome (and limits, dedupe, identity
 * rules and metrics) as `POST /batch/`. The Segment and Amplitude routes decode their own bodies and
 * hand the events to `captureExtracted`, over the same refusal memory and describer.
 */
export function createCaptureEntry(
  deps: ApiDependencies,
  limits: CaptureLimits = defaultCaptureLimits,
): CaptureEntry {
  const capture = captureConfiguration(deps.config, limits.maxEventsPerBatch);
  const dependencies: CaptureEventsDependencies = {
    reader: deps.captureReader,
    quota: deps.captureQuota,
    refusals: new RecentRefusals(),
    ...(deps.workspaceCaptureKeys ? { workspaceCaptureKeys: deps.workspaceCaptureKeys } : {}),
    storage: {
      isConnected: deps.isRedisConnected,
      get isAboveHighWater() {
        return deps.redisMemory.isAboveHighWater;
      },
    },
    slicer: new SlicedDescriber(describeSliceMs),
    activity: deps.activity,
    links: deps.links,
    ...(deps.identities ? { identities: deps.identities } : {}),
    requestDelivery: (conversationId) => deps.queues.requestDelivery(conversationId),
    settings: capture.settings,
    now: deps.now,
  };
  const counted = <T extends CaptureOutcome | null>(outcome: T): T => {
    if (outcome) countCaptureOutcome(deps.metrics, outcome);
    return outcome;
  };
  const { keys } = capture;
  return {
    limits,
    beforeBody: (ip) => counted(refusalBeforeBody(captureClientOf(ip), dependencies)),
    storageOut: () => counted(storageRefusal(dependencies.storage)),
    keyOf: (received) => {
      const key = captureKeyKind(received, keys);
      return { key, ...presentedKeyOf(key, received) };
    },
    captureExtracted: async (batch, ip) =>
      counted(await storeCapturedBatch(batch, captureClientOf(ip), dependencies)),
    chargeRefused: (ip) => chargeRefusedRequest(captureClientOf(ip), dependencies),
    async capture(request) {
      return counted(
        await captureEvents(
          {
            body: request.body,
            contentType: header(request.headers['content-type']),
            contentEncoding: header(request.headers['content-encoding']),
            query: queryOf(request.query),
            client: captureClientOf(request.ip),
          },
          dependencies,
        ),
      );
    },
  };
}
