import type { CaptureLimits } from './capture-limits.js';
import { isJsonObject, type JsonObject, truncateString } from './json-value.js';

/**
 * The PostHog `$` properties something after capture reads, and so the only ones kept: the
 * describer (`describeEvent`: page, screen, clicks, forms, exceptions, session), `recordActivity`
 * (`$anon_distinct_id`, `$is_identified`) and the identify-by-email logic (`$set`, `$set_once`).
 * posthog-js sends ~40 others with every event (`$os`, `$browser`, `$raw_user_agent`, `$insert_id`,
 * screen sizes, …) that nothing reads; copying them cost more than describing the event. Every
 * property without a `$` is kept (custom events show configurable ones). `kept-properties.test.ts`
 * fails when the describer or `recordActivity` reads a `$` property that is not listed here.
 */
export const keptPosthogProperties: readonly string[] = Object.freeze([
  '$anon_distinct_id',
  '$current_url',
  '$device_id',
  '$el_text',
  '$elements',
  '$elements_chain',
  '$event_type',
  '$exception_list',
  '$exception_message',
  '$exception_type',
  '$is_identified',
  '$pathname',
  '$screen_name',
  '$session_id',
  '$set',
  '$set_once',
]);

/** Keys that would reach `Object.prototype` when copied or merged later; never kept. */
const forbiddenKeys: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Keys longer than this are not property names anyone chose; they are dropped. */
const maxKeyChars = 1024;

const dollar = 0x24;

const keptDollarKeys: ReadonlySet<string> = new Set(keptPosthogProperties);

/**
 * A bounded copy of an event's `properties`: strings cut to `maxStringChars`, objects and arrays
 * nested deeper than `maxPropertyDepth` dropped, at most `maxProperties` keys per object (items
 * per array), and prototype-pollution keys removed. At the top level only the `$` keys in
 * {@link keptPosthogProperties} are kept, and when there are more keys than fit they are kept
 * first, so a flood of custom keys cannot push out `$current_url` or `$anon_distinct_id`.
 */
export function sanitizeProperties(properties: JsonObject, limits: CaptureLimits): Record<string, unknown> {
  // One `for…in` pass (no array of keys per event); only when everything kept does not fit is the
  // copy redone with the `$` keys first.
  const copy: Record<string, unknown> = {};
  let kept = 0;
  for (const key in properties) {
    if (!isKeptTopLevelKey(key) || !Object.hasOwn(properties, key)) continue;
    const value = copyValue(properties[key], 1, limits);
    if (value === undefined) continue;
    if (kept >= limits.maxProperties) return copyDollarKeysFirst(properties, limits);
    copy[key] = value;
    kept += 1;
  }
  return copy;
}

function isKeptTopLevelKey(key: string): boolean {
  if (key.charCodeAt(0) === dollar) return keptDollarKeys.has(key);
  return !forbiddenKeys.has(key) && key.length <= maxKeyChars;
}

function copyDollarKeysFirst(properties: JsonObject, limits: CaptureLimits): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  let kept = 0;
  for (const wantDollar of [true, false]) {
    for (const key in properties) {
      if (kept >= limits.maxProperties) return copy;
      if ((key.charCodeAt(0) === dollar) !== wantDollar) continue;
      if (!isKeptTopLevelKey(key) || !Object.hasOwn(properties, key)) continue;
      const value = copyValue(properties[key], 1, limits);
      if (value === undefined) continue;
      copy[key] = value;
      kept += 1;
    }
  }
  return copy;
}

function copyObject(source: JsonObject, depth: number, limits: CaptureLimits): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  let kept = 0;
  for (const key of Object.keys(source)) {
    if (kept >= limits.maxProperties) break;
    if (forbiddenKeys.has(key) || key.length > maxKeyChars) continue;
    const value = copyValue(source[key], depth, limits);
    if (value === undefined) continue;
    copy[key] = value;
    kept += 1;
  }
  return copy;
}

function copyValue(value: unknown, depth: number, limits: CaptureLimits): unknown {
  if (typeof value === 'string') return truncateString(value, limits.maxStringChars);
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'boolean' || value === null) return value;
  if (depth >= limits.maxPropertyDepth) return undefined;
  if (Array.isArray(value)) {
    const items: unknown[] = [];
    const end = Math.min(value.length, limits.maxProperties);
    for (let index = 0; index < end; index += 1) {
      const copied = copyValue(value[index], depth + 1, limits);
      if (copied !== undefined) items.push(copied);
    }
    return items;
  }
  if (isJsonObject(value)) return copyObject(value, depth + 1, limits);
  return undefined;
}
