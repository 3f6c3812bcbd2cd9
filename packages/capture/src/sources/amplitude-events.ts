import { tooLarge } from '../capture-failure.js';
import type { CaptureLimits } from '../capture-limits.js';
import type { ExtractContext } from '../extract-events.js';
import { isJsonObject, type JsonObject, nonEmptyString } from '../json-value.js';
import { type PosthogShaped, type SourceBatch, toSourceBatch, withoutDollarKeys } from './source-batch.js';

/** Amplitude HTTP V2's limits: 2,000 events and 1 MB per request, over either a 413. */
export const amplitudeMaxEvents = 2000;
export const amplitudeMaxBodyBytes = 1024 * 1024;

/** A request Amplitude would answer 400, in its own words. */
export interface AmplitudeRefusal {
  ok: false;
  code: 'malformed';
  message: string;
  missingField?: string;
  eventsWithMissingFields?: Record<string, number[]>;
  eventsWithInvalidFields?: Record<string, number[]>;
}

const prefix = '[Amplitude] ';

function idOf(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return nonEmptyString(value);
}

function objectOr(value: unknown): JsonObject {
  return isJsonObject(value) ? value : {};
}

function text(properties: JsonObject, name: string): string | undefined {
  return nonEmptyString(properties[`${prefix}${name}`]);
}

/** `$elements` (PostHog's array form, clicked element first) from what Amplitude autocapture sends. */
function elementsOf(properties: JsonObject): JsonObject[] {
  const hierarchy = Array.isArray(properties[`${prefix}Element Hierarchy`])
    ? (properties[`${prefix}Element Hierarchy`] as unknown[])
    : [];
  // The hierarchy runs from the outermost element to the clicked one.
  const ancestors = hierarchy.filter(isJsonObject).reverse().slice(1).map(elementOfHierarchy);
  const attributes = objectOr(properties[`${prefix}Element Attributes`]);
  const target: JsonObject = { tag_name: text(properties, 'Element Tag') ?? '' };
  const elementText = text(properties, 'Element Text');
  if (elementText !== undefined) target.$el_text = elementText;
  const ariaLabel = text(properties, 'Element Aria Label');
  if (ariaLabel !== undefined) target['attr__aria-label'] = ariaLabel;
  const href = text(properties, 'Element Href');
  if (href !== undefined) target.attr__href = href;
  const id = text(properties, 'Element ID');
  if (id !== undefined) target.attr__id = id;
  // `[Amplitude] Element Parent Label` is left out: it is the text of the nearest span or heading
  // of any ancestor (a form's page heading for a field, in a recorded session), not a label.
  const own =
    hierarchy.length > 0 && isJsonObject(hierarchy.at(-1))
      ? objectOr((hierarchy.at(-1) as JsonObject).attrs)
      : {};
  for (const [name, value] of Object.entries({ ...own, ...attributes })) {
    if (typeof value === 'string' && !(`attr__${name}` in target)) target[`attr__${name}`] = value;
  }
  return [target, ...ancestors];
}

function elementOfHierarchy(element: JsonObject): JsonObject {
  const out: JsonObject = { tag_name: nonEmptyString(element.tag) ?? '' };
  if (typeof element.id === 'string') out.attr__id = element.id;
  for (const [name, value] of Object.entries(objectOr(element.attrs))) {
    if (typeof value === 'string') out[`attr__${name}`] = value;
  }
  return out;
}

function pageOf(properties: JsonObject, urlKey: string): JsonObject {
  const url = text(properties, urlKey) ?? text(properties, 'Page URL');
  const path = text(properties, 'Page Path');
  return {
    ...(url !== undefined ? { $current_url: url } : {}),
    ...(path !== undefined ? { $pathname: path } : {}),
  };
}

/**
 * Amplitude's autocapture events as the PostHog events they match (page views, clicks, changes,
 * rage and dead clicks, form submits), so one describer reads them; other `[Amplitude]` telemetry
 * (web vitals, network, scrolls, exposure) becomes an ignored `$` event. Custom events stay as they are.
 */
function autocaptured(eventType: string, properties: JsonObject): { event: string; properties: JsonObject } {
  const element = () => ({ $elements: elementsOf(properties), ...pageOf(properties, 'Page URL') });
  const form = (eventKind: string) => {
    const formElement: JsonObject = { tag_name: 'form' };
    const name = text(properties, 'Form Name');
    const id = text(properties, 'Form ID');
    if (name !== undefined) formElement.attr__name = name;
    if (id !== undefined) formElement.attr__id = id;
    return {
      event: '$autocapture',
      properties: {
        $event_type: eventKind,
        $elements: [formElement],
        ...pageOf(properties, 'Page Location'),
      },
    };
  };
  switch (eventType) {
    case `${prefix}Page Viewed`: {
      const title = text(properties, 'Page Title');
      return {
        event: '$pageview',
        properties: { ...pageOf(properties, 'Page Location'), ...(title !== undefined ? { title } : {}) },
      };
    }
    case `${prefix}Screen Viewed`:
      return { event: '$screen', properties: { $screen_name: text(properties, 'Screen Name') ?? '' } };
    case `${prefix}Element Clicked`:
    case `${prefix}Error Click`:
      return { event: '$autocapture', properties: { $event_type: 'click', ...element() } };
    case `${prefix}Element Changed`:
      return { event: '$autocapture', properties: { $event_type: 'change', ...element() } };
    case `${prefix}Rage Click`:
      return { event: '$rageclick', properties: element() };
    case `${prefix}Dead Click`:
      return { event: '$dead_click', properties: element() };
    case `${prefix}Form Started`:
      return form('form_start');
    case `${prefix}Form Submitted`:
      return form('submit');
    default:
      return eventType.startsWith(prefix) || eventType === 'session_start' || eventType === 'session_end'
        ? { event: '$amplitude_telemetry', properties: {} }
        : { event: eventType, properties };
  }
}

/** One Amplitude event in PostHog's shape. With user_id and device_id both, a merge comes first. */
function translateAmplitude(
  item: unknown,
  pairsSeen: Set<string>,
  sentAt: unknown,
): PosthogShaped[] | string {
  if (!isJsonObject(item)) return 'event is not a JSON object';
  const eventType = nonEmptyString(item.event_type);
  const userId = idOf(item.user_id);
  const deviceId = idOf(item.device_id);
  if (eventType === undefined) return 'event_type is missing';
  if (userId === undefined && deviceId === undefined) return 'user_id or device_id is required';
  const eventProperties = objectOr(item.event_properties);
  // Amplitude's own `$` event types ($identify, $groupidentify) set properties; none writes a line.
  const translated =
    eventType === '$identify'
      ? {
          event: '$set',
          properties: { $set: withoutDollarKeys(objectOr(objectOr(item.user_properties).$set)) },
        }
      : eventType.startsWith('$')
        ? { event: '$amplitude_telemetry', properties: {} }
        : autocaptured(eventType, withoutDollarKeys(eventProperties));
  const proof: JsonObject = {};
  for (const key of ['$user_hash', '$user_jwt']) {
    if (typeof eventProperties[key] === 'string') proof[key] = eventProperties[key];
  }
  const sessionId =
    typeof item.session_id === 'number' && item.session_id > 0 ? String(item.session_id) : undefined;
  const timestamp =
    typeof item.time === 'number' && Number.isFinite(item.time)
      ? new Date(item.time).toISOString()
      : undefined;
  const shared = {
    ...proof,
    ...(sessionId !== undefined ? { $session_id: sessionId } : {}),
    ...(userId === undefined ? { $is_identified: false, $device_id: deviceId } : {}),
  };
  const events: PosthogShaped[] = [];
  const pair =
    userId !== undefined && deviceId !== undefined ? `${userId.length}:${userId}${deviceId}` : undefined;
  if (pair !== undefined && deviceId !== userId && !pairsSeen.has(pair)) {
    // Amplitude links a device to a user by the first event that carries both ids: the device's
    // anonymous history moves to the user as on a PostHog `$identify`, with the same protections.
    pairsSeen.add(pair);
    events.push({
      raw: {
        event: '$create_alias',
        distinct_id: userId,
        timestamp,
        properties: { ...shared, $anon_distinct_id: deviceId },
      },
      sentAt,
    });
  }
  events.push({
    raw: {
      event: translated.event,
      distinct_id: userId ?? deviceId,
      timestamp,
      ...(typeof item.insert_id === 'string' ? { uuid: item.insert_id } : {}),
      properties: { ...translated.properties, ...shared },
    },
    sentAt,
  });
  return events;
}

function missing(field: string, message = 'Request missing required field'): AmplitudeRefusal {
  return { ok: false, code: 'malformed', message, missingField: field };
}

/**
 * An Amplitude HTTP V2 body `{api_key, events, options?}`. As Amplitude does, a request with any
 * event lacking `event_type` or both ids is refused whole, naming those events; past 2,000 events
 * it is too large.
 */
export function extractAmplitudeEvents(
  payload: unknown,
  context: ExtractContext,
  limits: CaptureLimits,
): SourceBatch | AmplitudeRefusal | ReturnType<typeof tooLarge> {
  if (!isJsonObject(payload)) return { ok: false, code: 'malformed', message: 'Invalid JSON request body' };
  const apiKey = nonEmptyString(payload.api_key);
  if (apiKey === undefined) return missing('api_key');
  if (!Array.isArray(payload.events)) return missing('events');
  const items = payload.events;
  if (items.length === 0) return missing('events');
  if (items.length > amplitudeMaxEvents) {
    return tooLarge(`request has ${items.length} events; the limit is ${amplitudeMaxEvents} per request`);
  }
  const eventsWithMissingFields: Record<string, number[]> = {};
  items.forEach((item, index) => {
    const event = objectOr(item);
    const add = (field: string) => {
      eventsWithMissingFields[field] = [...(eventsWithMissingFields[field] ?? []), index];
    };
    if (nonEmptyString(event.event_type) === undefined) add('event_type');
    if (idOf(event.user_id) === undefined && idOf(event.device_id) === undefined) add('user_id or device_id');
  });
  if (Object.keys(eventsWithMissingFields).length > 0) {
    return {
      ok: false,
      code: 'malformed',
      message: 'Request missing required field',
      eventsWithMissingFields,
    };
  }
  const pairsSeen = new Set<string>();
  return toSourceBatch(
    items,
    (item) => translateAmplitude(item, pairsSeen, payload.client_upload_time),
    apiKey.trim(),
    context,
    {
      ...limits,
      maxEventsPerBatch: amplitudeMaxEvents,
    },
  );
}
