import type { CaptureKeyKind } from '@threadline/capture';
import {
  type CapturedEvent,
  type CaptureQuotaDecision,
  describeEvent,
  type IdentitySettings,
  recordActivity,
} from '@threadline/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiDependencies } from '../../dependencies.js';
import {
  captureClientOf,
  RecentRefusals,
  refuseOverQuota,
  refuseUnavailable,
  SlicedDescriber,
} from '../capture/capture-guards.js';

/** What became of the events of one source request, for its route to answer in its own words. */
export type SourceCaptureOutcome =
  | { kind: 'stored'; stored: number; duplicates: number }
  | { kind: 'over_quota'; decision: Exclude<CaptureQuotaDecision, { isAllowed: true }> }
  | { kind: 'too_many_users'; limit: number }
  | { kind: 'cpu_budget'; notStored: number; total: number };

/** One source request's events, the key they came with, and who sent them. */
export interface SourceCaptureInput {
  events: CapturedEvent[];
  /** `public`/`server` for a checked capture key, null for a webhook (checked by its own secret). */
  key: CaptureKeyKind | null;
  /** The client a per-IP limit counts, or null when none applies (webhooks). */
  client: string | null;
}

/** What a request refused before its events were read counts against its client's minute. */
export const refusedRequestCost = 100;

const describeSliceMs = 2;

/**
 * The capture pipeline every non-PostHog source goes through, as PostHog capture runs it today:
 * the per-IP event and new-user limits of the public key, the per-request user cap, describing
 * within CAPTURE_CPU_BUDGET_MS, `recordActivity` (redaction, identity rules, dedupe by event id,
 * delivery requests) and the capture metrics.
 *
 * The ONE seam to today's pipeline: `captureSourceEvents` is what the Segment, Amplitude and
 * Segment-webhook routes call; when capture becomes a `captureEvents` use case in core, this body
 * is what points at it. The guards (`guardBeforeBody`, `chargeRefused`) keep their own memory of
 * refusals, as PostHog capture's do.
 */
export function createSourceCapture(deps: ApiDependencies) {
  const { config } = deps;
  const describer = new SlicedDescriber(describeSliceMs);
  const refusals = new RecentRefusals();

  const refuseWhileStorageIsOut = (reply: FastifyReply) => {
    if (!deps.isRedisConnected()) return refuseUnavailable(reply, 'redis_unavailable', deps.metrics);
    if (deps.redisMemory.isAboveHighWater) return refuseUnavailable(reply, 'redis_memory_high', deps.metrics);
    return null;
  };

  /** `onRequest`: 503 while Redis is out, 429 for a client this process refused, before the body is read. */
  const guardBeforeBody = async (request: FastifyRequest, reply: FastifyReply) => {
    const unavailable = refuseWhileStorageIsOut(reply);
    if (unavailable) return unavailable;
    const remembered = refusals.standing(captureClientOf(request.ip));
    if (remembered) return refuseOverQuota(reply, remembered, deps.metrics);
  };

  /** A refused request still cost its decoding: it counts against the client's minute. */
  const chargeRefused = async (client: string, events: number) => {
    const charged = await deps.captureQuota.takeEvents(client, events);
    if (!charged.isAllowed) refusals.remember(client, charged);
  };

  const captureSourceEvents = async ({
    events,
    key,
    client,
  }: SourceCaptureInput): Promise<SourceCaptureOutcome> => {
    const isPublic = key === 'public' && client !== null;
    const users = new Set(events.map((event) => event.distinctId)).size;
    if (isPublic && users > config.capture.maxUsersPerRequest) {
      await chargeRefused(client, events.length);
      deps.metrics.eventsRefused.inc({ reason: 'too_many_users' });
      return { kind: 'too_many_users', limit: config.capture.maxUsersPerRequest };
    }
    const [taken, described] = await Promise.all([
      isPublic ? deps.captureQuota.takeEvents(client, events.length) : ({ isAllowed: true } as const),
      describer.describe(events, describeEvent, config.capture.cpuBudgetMs),
    ]);
    if (!taken.isAllowed) {
      if (client !== null) refusals.remember(client, taken);
      return { kind: 'over_quota', decision: taken };
    }
    const identity: IdentitySettings = { mode: config.capture.identity, isTrustedSource: key === 'server' };
    const result = await recordActivity(config.productId, events.slice(0, described.count), {
      activity: deps.activity,
      links: deps.links,
      ...(deps.identities ? { identities: deps.identities } : {}),
      describe: (event) => described.actions.get(event) ?? null,
      requestDelivery: (conversationId) => deps.queues.requestDelivery(conversationId),
      identity,
    });
    if (isPublic) {
      const counted = await deps.captureQuota.addNewUsers(client, result.newUsers);
      if (!counted.isAllowed) refusals.remember(client, counted);
    }
    deps.metrics.eventsAccepted.inc(result.stored);
    if (result.unverified > 0) deps.metrics.eventsRefused.inc({ reason: 'unverified' }, result.unverified);
    if (result.duplicates > 0) deps.metrics.eventsRefused.inc({ reason: 'duplicate' }, result.duplicates);
    const notStored = events.length - described.count;
    if (notStored > 0) {
      deps.metrics.eventsRefused.inc({ reason: 'cpu_budget' }, notStored);
      return { kind: 'cpu_budget', notStored, total: events.length };
    }
    return { kind: 'stored', stored: result.stored, duplicates: result.duplicates };
  };

  return { guardBeforeBody, chargeRefused, captureSourceEvents, refuseWhileStorageIsOut };
}

export type SourceCapture = ReturnType<typeof createSourceCapture>;
