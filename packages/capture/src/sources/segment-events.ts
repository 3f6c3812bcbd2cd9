import { type CaptureFailure, malformed, tooLarge } from '../capture-failure.js';
import type { CaptureLimits } from '../capture-limits.js';
import type { ExtractContext } from '../extract-events.js';
import { isJsonObject, type JsonObject, nonEmptyString } from '../json-value.js';
import { type PosthogShaped, type SourceBatch, toSourceBatch, withoutDollarKeys } from './source-batch.js';

/** Segment's own limits: 32 KB per event, 500 KB per batch request; over either is a 400. */
export const segmentMaxEventBytes = 32 * 1024;
export const segmentMaxBatchBytes = 500 * 1024;

/** The Segment call types, by the path of the HTTP Tracking API or analytics.js's one-letter path. */
export type SegmentType = 'track' | 'page' | 'screen' | 'identify' | 'group' | 'alias';

const typeByPath: Readonly<Record<string, SegmentType | 'batch'>> = {
  track: 'track',
  t: 'track',
  page: 'page',
  p: 'page',
  screen: 'screen',
  s: 'screen',
  identify: 'identify',
  i: 'identify',
  group: 'group',
  g: 'group',
  alias: 'alias',
  a: 'alias',
  batch: 'batch',
  b: 'batch',
  import: 'batch',
};

/** The call a `/segment/v1/<path>` request makes, or undefined for a path that is not one. */
export function segmentCallOf(path: string): SegmentType | 'batch' | undefined {
  return Object.hasOwn(typeByPath, path) ? typeByPath[path] : undefined;
}

const segmentTypes: ReadonlySet<string> = new Set(['track', 'page', 'screen', 'identify', 'group', 'alias']);

function idOf(value: unknown): string | number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  return nonEmptyString(value);
}

function objectOr(value: unknown): JsonObject {
  return isJsonObject(value) ? value : {};
}

/**
 * Where the page was: a `page` call's own properties first (analytics.js puts `url`, `path`,
 * `title` there), then `context.page`, which analytics.js adds to every call.
 */
function pageProperties(properties: JsonObject, context: JsonObject): JsonObject {
  const page = objectOr(context.page);
  const url = nonEmptyString(properties.url) ?? nonEmptyString(page.url);
  const path = nonEmptyString(properties.path) ?? nonEmptyString(page.path);
  return {
    ...(url !== undefined ? { $current_url: url } : {}),
    ...(path !== undefined ? { $pathname: path } : {}),
  };
}

/**
 * The Intercom identity proof Segment users already send for the Intercom destination:
 * `integrations.Intercom.user_hash` (Segment's documented option) or `context.Intercom.user_hash`.
 */
function proofOf(item: JsonObject, context: JsonObject): JsonObject {
  const fromIntegrations = objectOr(objectOr(item.integrations).Intercom).user_hash;
  const fromContext = objectOr(context.Intercom).user_hash;
  const userHash = nonEmptyString(fromIntegrations) ?? nonEmptyString(fromContext);
  return userHash === undefined ? {} : { $user_hash: userHash };
}

/** One Segment call in PostHog's shape (`translate` of {@link toSourceBatch}). */
function translateSegment(
  item: unknown,
  batch: JsonObject,
  pathType?: SegmentType,
): PosthogShaped[] | string {
  if (!isJsonObject(item)) return 'event is not a JSON object';
  const type = pathType ?? nonEmptyString(item.type);
  if (type === undefined || !segmentTypes.has(type))
    return `type ${JSON.stringify(type ?? null)} is not a Segment call`;
  // The batch's context is merged into each item's, the item's own keys winning.
  const context = { ...objectOr(batch.context), ...objectOr(item.context) };
  const userId = idOf(item.userId);
  const anonymousId = idOf(item.anonymousId);
  if (userId === undefined && anonymousId === undefined) return 'userId or anonymousId is required';
  const properties = withoutDollarKeys(objectOr(item.properties));
  const anonymous = userId === undefined ? { $is_identified: false, $device_id: String(anonymousId) } : {};
  const base = {
    distinct_id: userId ?? anonymousId,
    timestamp: item.originalTimestamp ?? item.timestamp,
    ...(typeof item.messageId === 'string' ? { uuid: item.messageId } : {}),
  };
  const common = {
    ...pageProperties(type === 'page' ? properties : {}, context),
    ...anonymous,
    ...proofOf(item, context),
  };
  const sentAt = item.sentAt ?? batch.sentAt;
  const shaped = (event: string, extra: JsonObject): PosthogShaped[] => [
    { raw: { ...base, event, properties: { ...extra, ...common } }, sentAt },
  ];
  switch (type) {
    case 'track': {
      const event = nonEmptyString(item.event);
      if (event === undefined) return 'track needs an event name';
      if (event.startsWith('$')) return 'event names starting with $ are reserved';
      return shaped(event, properties);
    }
    case 'page': {
      const title =
        nonEmptyString(item.name) ??
        nonEmptyString(properties.title) ??
        nonEmptyString(objectOr(context.page).title);
      return shaped('$pageview', { ...properties, ...(title !== undefined ? { title } : {}) });
    }
    case 'screen':
      return shaped('$screen', { ...properties, $screen_name: nonEmptyString(item.name) ?? '' });
    case 'identify':
      // Without a userId an identify only sets traits on the anonymous visitor: nothing to show.
      if (userId === undefined) return shaped('$set', {});
      return shaped('$identify', {
        $set: withoutDollarKeys(objectOr(item.traits)),
        ...(anonymousId !== undefined ? { $anon_distinct_id: String(anonymousId) } : {}),
      });
    case 'alias': {
      const previousId = idOf(item.previousId);
      if (userId === undefined) return 'alias needs a userId';
      if (previousId === undefined) return 'alias needs a previousId';
      // PostHog's alias event: merges like `$identify`, with its protections, and writes no line.
      return shaped('$create_alias', { $anon_distinct_id: String(previousId) });
    }
    default:
      return shaped('$groupidentify', {});
  }
}

/** What a Segment request carries besides its body. */
export interface SegmentRequestContext extends ExtractContext {
  /** The call the path names (`/v1/track`, `/t`…); absent for `/batch` and `/b`. */
  pathType?: SegmentType;
  /** Bytes of the decoded body: an item can be over 32 KB only in a body that is. */
  bodyBytes: number;
}

/**
 * A Segment HTTP Tracking API or analytics.js body: one call, or `{batch, context, writeKey,
 * sentAt}`. Every call becomes a captured event as PostHog's would (`page` a `$pageview`,
 * `identify` an `$identify` that merges the anonymousId, `alias` a merge of `previousId`).
 * An item over 32 KB fails the request as Segment's API does.
 */
export function extractSegmentEvents(
  payload: unknown,
  context: SegmentRequestContext,
  limits: CaptureLimits,
): SourceBatch | CaptureFailure {
  if (!isJsonObject(payload)) return malformed('body must be a Segment call or a batch object');
  const isBatch = context.pathType === undefined;
  let items: unknown[];
  if (isBatch) {
    if (!Array.isArray(payload.batch)) return malformed('batch must be an array of Segment calls');
    items = payload.batch;
  } else {
    items = [payload];
  }
  if (items.length === 0) return malformed('batch contains no events');
  if (items.length > limits.maxEventsPerBatch) {
    return tooLarge(`batch has ${items.length} events; the limit is ${limits.maxEventsPerBatch} per request`);
  }
  if (context.bodyBytes > segmentMaxEventBytes) {
    const index = items.findIndex(
      (item) => Buffer.byteLength(JSON.stringify(item) ?? '') > segmentMaxEventBytes,
    );
    if (index !== -1) return malformed(`event ${index} is larger than ${segmentMaxEventBytes} bytes`);
  }
  const writeKey =
    nonEmptyString(payload.writeKey) ??
    items.map((item) => (isJsonObject(item) ? nonEmptyString(item.writeKey) : undefined)).find(Boolean);
  const batch = isBatch ? payload : {};
  const extracted = toSourceBatch(
    items,
    (item) => translateSegment(item, batch, context.pathType),
    writeKey?.trim(),
    context,
    limits,
  );
  if (extracted.events.length === 0 && extracted.skipped.length > 0) {
    const first = extracted.skipped[0];
    return malformed(`no usable event: event ${first?.index}: ${first?.reason}`);
  }
  return extracted;
}
