import type { Action, CapturedEvent } from '../actions/action.js';
import { describeEvent } from '../actions/describe-event.js';
import type { IdentityMode } from '../identity/identity-mode.js';
import type { CaptureQuota, CaptureQuotaReason } from '../ports/capture-quota.js';
import type { CaptureKeyKind, CaptureReader, RawCaptureRequest } from '../ports/capture-reader.js';
import type { SlicedResults, WorkSlicer } from '../ports/work-slicer.js';
import type { WorkspaceCaptureKeys } from '../ports/workspace-capture-keys.js';
import type { QuotaRefusal, RecentRefusals } from './recent-refusals.js';
import { type RecordActivityDependencies, recordActivity } from './record-activity.js';

/** Why a capture request was refused; the route maps each to one status. */
export type CaptureRefusalReason =
  /** 400: the body cannot be read. */
  | 'malformed'
  /** 413: the body is too large, before or after decoding. */
  | 'too_large'
  /** 401: neither capture key. */
  | 'unknown_api_key'
  /** 413: more distinct ids in one request than the public key may send. */
  | 'too_many_users'
  /** 429: the client's minute or hour is used up. */
  | CaptureQuotaReason
  /** 413: describing took longer than the request's CPU budget; the events before it were stored. */
  | 'cpu_budget'
  /** 503: Redis is unreachable, or above its memory high-water mark. */
  | 'redis_unavailable'
  | 'redis_memory_high';

/** What happened to a request's events (all zero for a request refused before any was stored). */
export interface CaptureCounts {
  stored: number;
  /** Events that describe no action (ignored event types). */
  dropped: number;
  /** Events already stored (a client's retry). */
  duplicates: number;
  /** Events older (by event time) than the retention, not stored. */
  expired: number;
  /** Events refused because nothing proved who sent them (`CAPTURE_IDENTITY=require`). */
  unverified: number;
  /** Events the reader left out (not an object, no distinct id, …). */
  skipped: number;
  /** Events not described (nor stored) because the request's CPU budget ran out. */
  overBudget: number;
}

export type CaptureOutcome =
  | { kind: 'accepted'; counts: CaptureCounts }
  | {
      kind: 'refused';
      reason: CaptureRefusalReason;
      message: string;
      /** How long the client should wait (429, 503). */
      retryAfterMs?: number;
      counts: CaptureCounts;
    };

/** The capture request and the client a per-IP limit counts (an IPv4 address or an IPv6 /64). */
export interface CaptureEventsRequest extends RawCaptureRequest {
  client: string;
}

export interface CaptureSettings {
  productId: string;
  identity: IdentityMode;
  /** CAPTURE_MAX_USERS_PER_REQUEST: distinct ids one public-key request may carry. */
  maxUsersPerRequest: number;
  /** CAPTURE_CPU_BUDGET_MS: CPU one request may spend describing its events. */
  cpuBudgetMs: number;
  /** What a body too large after decoding costs its client, in events (a full batch). */
  maxEventsPerBatch: number;
}

export interface CaptureEventsDependencies extends Omit<RecordActivityDependencies, 'identity'> {
  reader: CaptureReader;
  quota: CaptureQuota;
  /** This process's memory of the refusals it gave (answered again without a Redis read). */
  refusals: RecentRefusals;
  /** Installed workspaces' capture keys (OAuth); absent: only the environment's keys are known. */
  workspaceCaptureKeys?: WorkspaceCaptureKeys;
  storage: {
    /** The Redis connection is up (known without asking Redis). */
    isConnected(): boolean;
    /** The latest reading is above REDIS_MEMORY_HIGH_WATER. */
    readonly isAboveHighWater: boolean;
  };
  slicer: WorkSlicer;
  settings: CaptureSettings;
  now(): Date;
}

/** What a request refused as malformed or with a wrong key counts against its client's minute, in events. */
const refusedRequestCost = 100;

const noCounts: CaptureCounts = Object.freeze({
  stored: 0,
  dropped: 0,
  duplicates: 0,
  expired: 0,
  unverified: 0,
  skipped: 0,
  overBudget: 0,
});

const quotaMessages: Record<CaptureQuotaReason, string> = {
  ip_events: 'this client sent more events this minute than CAPTURE_IP_EVENTS_PER_MINUTE allows',
  ip_new_users: 'this client created more distinct ids this hour than CAPTURE_IP_NEW_USERS_PER_HOUR allows',
};

function refused(
  reason: CaptureRefusalReason,
  message: string,
  extra: { retryAfterMs?: number; counts?: CaptureCounts } = {},
): CaptureOutcome {
  return { kind: 'refused', reason, message, counts: extra.counts ?? noCounts, ...extra };
}

function overQuota(decision: QuotaRefusal): CaptureOutcome {
  return refused(decision.reason, quotaMessages[decision.reason], { retryAfterMs: decision.retryAfterMs });
}

/**
 * Capture only writes: while Redis is down or too full it answers 503 (webhooks, deliveries and
 * reads go on). Null: storage can take events.
 */
export function storageRefusal(storage: CaptureEventsDependencies['storage']): CaptureOutcome | null {
  if (!storage.isConnected())
    return refused('redis_unavailable', 'storage is unreachable; retry shortly', { retryAfterMs: 1000 });
  if (storage.isAboveHighWater)
    return refused('redis_memory_high', 'storage is nearly full; capture is paused until it has room again', {
      retryAfterMs: 30_000,
    });
  return null;
}

/**
 * What can be answered before the body is read, at no Redis cost: Redis out (503), or a client this
 * process refused a moment ago and whose refusal still runs (429). Null: read the body.
 */
export function refusalBeforeBody(
  client: string,
  dependencies: Pick<CaptureEventsDependencies, 'storage' | 'refusals'>,
): CaptureOutcome | null {
  const remembered = dependencies.refusals.standing(client);
  return storageRefusal(dependencies.storage) ?? (remembered ? overQuota(remembered) : null);
}

/**
 * Which key a batch was sent with: `public` (CAPTURE_API_KEY: per-IP limits, the users cap), `server`
 * (CAPTURE_SERVER_KEY: backends, neither counted nor capped, every event verified), `webhook` (a
 * source's webhook destination, checked by its own secret: no per-IP limits, and its events prove
 * nothing about who sent them), or null: neither capture key.
 */
export type CapturedBatchKey = CaptureKeyKind | 'webhook';

/** A request's events once read, from any source: the PostHog reader, or a source's own decoder. */
export interface CapturedBatch {
  key: CapturedBatchKey | null;
  /** The key carried when `key` is null: an installed workspace's capture key, perhaps. */
  presentedKey?: string | undefined;
  events: CapturedEvent[];
  /** Events the reader left out (not an object, no distinct id, …). */
  skipped: number;
  /** The first events' actions, when the reader described them (off the event loop); else described here. */
  described?: readonly (Action | null)[];
}

/** What the reader described, in the slicer's shape. */
function describedByReader(
  events: readonly CapturedEvent[],
  described: readonly (Action | null)[],
): SlicedResults<CapturedEvent, Action | null> {
  const results = new Map<CapturedEvent, Action | null>();
  const count = Math.min(events.length, described.length);
  for (let index = 0; index < count; index += 1)
    results.set(events[index] as CapturedEvent, described[index] ?? null);
  return { results, count };
}

/**
 * What a request refused after its body was read cost: its decoding counts against the client's
 * minute (100 events; `events` for one refused with its events known), so malformed bodies and
 * gzip bombs are limited like events. A refusal it earns is remembered.
 */
export async function chargeRefusedRequest(
  client: string,
  dependencies: Pick<CaptureEventsDependencies, 'quota' | 'refusals'>,
  events = refusedRequestCost,
): Promise<void> {
  const decision = await dependencies.quota.takeEvents(client, events);
  if (!decision.isAllowed) dependencies.refusals.remember(client, decision);
}

/**
 * Whose events these are: the environment's product for its keys, an installed workspace's product
 * for that workspace's capture key (a public key: limits and the users cap apply), or null.
 */
async function ownerOf(
  batch: CapturedBatch,
  environmentProductId: string,
  workspaceKeys: WorkspaceCaptureKeys | undefined,
): Promise<{ key: CapturedBatchKey; productId: string } | null> {
  if (batch.key) return { key: batch.key, productId: environmentProductId };
  if (!batch.presentedKey || !workspaceKeys) return null;
  const productId = await workspaceKeys.productOfCaptureKey(batch.presentedKey);
  return productId ? { key: 'public', productId } : null;
}

/**
 * The use case after the read, for any source's events: the key, the per-request cap of users, the
 * client's minute (counted while the events are described, in slices, within the CPU budget), the
 * store (`recordActivity`: one Redis call per user, then delivery requests for the users' open
 * conversations), and the client's new ids of the hour. Only the public key is counted and capped;
 * the caller answered the refusals that need no body (`refusalBeforeBody`) first.
 */
export async function storeCapturedBatch(
  batch: CapturedBatch,
  client: string,
  dependencies: CaptureEventsDependencies,
): Promise<CaptureOutcome> {
  const { settings, quota, refusals } = dependencies;
  const owner = await ownerOf(batch, settings.productId, dependencies.workspaceCaptureKeys);
  if (!owner) {
    await chargeRefusedRequest(client, dependencies);
    return refused('unknown_api_key', "the api_key / token is not this project's capture key");
  }
  const isPublic = owner.key === 'public';
  const { events } = batch;
  if (isPublic && new Set(events.map((event) => event.distinctId)).size > settings.maxUsersPerRequest) {
    await chargeRefusedRequest(client, dependencies, events.length);
    return refused(
      'too_many_users',
      `one request may carry the events of at most ${settings.maxUsersPerRequest} users (CAPTURE_MAX_USERS_PER_REQUEST); send fewer at a time`,
    );
  }
  // Counted while described (I/O beside CPU); nothing is stored unless the count allowed them.
  const [taken, described] = await Promise.all([
    isPublic ? quota.takeEvents(client, events.length) : ({ isAllowed: true } as const),
    batch.described
      ? describedByReader(events, batch.described)
      : dependencies.slicer.map<CapturedEvent, Action | null>(events, describeEvent, settings.cpuBudgetMs),
  ]);
  if (!taken.isAllowed) {
    refusals.remember(client, taken);
    return overQuota(taken);
  }
  const result = await recordActivity(owner.productId, events.slice(0, described.count), {
    ...dependencies,
    identity: { mode: settings.identity, isTrustedSource: owner.key === 'server' },
    actions: described.results,
  });
  if (isPublic) {
    const counted = await quota.addNewUsers(client, result.newUsers);
    if (!counted.isAllowed) refusals.remember(client, counted);
  }
  const overBudget = events.length - described.count;
  const counts: CaptureCounts = {
    stored: result.stored,
    dropped: result.dropped,
    duplicates: result.duplicates,
    expired: result.expired,
    unverified: result.unverified,
    skipped: batch.skipped,
    overBudget,
  };
  if (overBudget > 0) {
    // posthog-node halves a batch answered 413 and sends both halves again; what was stored is
    // not stored twice.
    return refused(
      'cpu_budget',
      `the last ${overBudget} of ${events.length} events were not stored: describing them took longer than CAPTURE_CPU_BUDGET_MS; send them in smaller batches (events already stored are not stored twice)`,
      { counts },
    );
  }
  return { kind: 'accepted', counts };
}

/**
 * The capture use case, from a raw request to one outcome: refusals that need no body first, then
 * the body read (a body that cannot be read is charged to the client's minute), then
 * `storeCapturedBatch`.
 */
export async function captureEvents(
  request: CaptureEventsRequest,
  dependencies: CaptureEventsDependencies,
): Promise<CaptureOutcome> {
  const early = refusalBeforeBody(request.client, dependencies);
  if (early) return early;
  const batch = await dependencies.reader.read(request, dependencies.now());
  if (!batch.ok) {
    const cost = batch.code === 'too_large' ? dependencies.settings.maxEventsPerBatch : refusedRequestCost;
    await chargeRefusedRequest(request.client, dependencies, cost);
    return refused(batch.code, batch.message);
  }
  return storeCapturedBatch(batch, request.client, dependencies);
}
