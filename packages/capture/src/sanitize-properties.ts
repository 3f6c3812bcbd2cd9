import type { CaptureLimits } from './capture-limits.js';
import { isJsonObject, type JsonObject, truncateString } from './json-value.js';

/** Keys that would reach `Object.prototype` when copied or merged later; never kept. */
const forbiddenKeys = new Set(['__proto__', 'constructor', 'prototype']);

/** Keys longer than this are not property names anyone chose; they are dropped. */
const maxKeyChars = 1024;

/**
 * A bounded copy of an event's `properties`: strings cut to `maxStringChars`, objects and arrays
 * nested deeper than `maxPropertyDepth` dropped, at most `maxProperties` keys per object (items
 * per array), and prototype-pollution keys removed. At the top level PostHog's own `$` keys are
 * kept first, so a flood of custom keys cannot push out `$current_url` or `$anon_distinct_id`.
 */
export function sanitizeProperties(properties: JsonObject, limits: CaptureLimits): Record<string, unknown> {
  const keys = Object.keys(properties);
  const ordered = [
    ...keys.filter((key) => key.startsWith('$')),
    ...keys.filter((key) => !key.startsWith('$')),
  ];
  return copyObject(properties, ordered, 1, limits);
}

function copyObject(
  source: JsonObject,
  keys: string[],
  depth: number,
  limits: CaptureLimits,
): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  let kept = 0;
  for (const key of keys) {
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
    for (const item of value.slice(0, limits.maxProperties)) {
      const copied = copyValue(item, depth + 1, limits);
      if (copied !== undefined) items.push(copied);
    }
    return items;
  }
  if (isJsonObject(value)) return copyObject(value, Object.keys(value), depth + 1, limits);
  return undefined;
}
