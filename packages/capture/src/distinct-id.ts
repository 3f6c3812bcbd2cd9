import { isJsonObject, type JsonObject, truncateString } from './json-value.js';

/** PostHog trims distinct ids to this many characters. */
export const maxDistinctIdChars = 200;

/** The user id an event belongs to, or why it has none. */
export type DistinctIdResult = { ok: true; distinctId: string } | { ok: false; reason: string };

/**
 * Finds an event's distinct id where PostHog looks for it: top-level `distinct_id` (posthog-node)
 * or `$distinct_id`, else `properties.distinct_id` (posthog-js). Numbers become strings as
 * PostHog does; NUL characters become U+FFFD; the id is cut to {@link maxDistinctIdChars}.
 * Other types (objects, arrays, booleans) are refused: they cannot name an Intercom contact.
 */
export function extractDistinctId(event: JsonObject): DistinctIdResult {
  let value = event.distinct_id ?? event.$distinct_id;
  if (value === undefined || value === null) {
    value = isJsonObject(event.properties) ? event.properties.distinct_id : undefined;
  }
  if (value === undefined || value === null) return { ok: false, reason: 'distinct_id is missing' };
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number' && Number.isFinite(value)) text = String(value);
  else
    return {
      ok: false,
      reason: `distinct_id is a ${Array.isArray(value) ? 'array' : typeof value}, not a string`,
    };
  if (text.includes('\0')) text = text.replaceAll('\0', '\uFFFD');
  if (text.trim() === '') return { ok: false, reason: 'distinct_id is empty' };
  return { ok: true, distinctId: truncateString(text, maxDistinctIdChars) };
}
