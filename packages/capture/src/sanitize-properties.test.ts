import { describe, expect, it } from 'vitest';
import { type CaptureLimits, defaultCaptureLimits } from './capture-limits.js';
import { sanitizeProperties } from './sanitize-properties.js';

const limits: CaptureLimits = {
  ...defaultCaptureLimits,
  maxStringChars: 5,
  maxPropertyDepth: 3,
  maxProperties: 3,
};

describe('sanitizeProperties', () => {
  it('cuts strings, including inside arrays and nested objects, without splitting emoji', () => {
    expect(sanitizeProperties({ a: 'abcdefgh', b: ['abcdefgh'], c: { d: 'abcd🙂' } }, limits)).toEqual({
      a: 'abcde',
      b: ['abcde'],
      c: { d: 'abcd' },
    });
  });

  it('drops objects and arrays nested deeper than maxPropertyDepth', () => {
    const result = sanitizeProperties(
      { level2: { level3: { level4: { x: 1 } }, keep: 1 }, list: [[[1]]] },
      limits,
    );
    expect(result).toEqual({ level2: { level3: {}, keep: 1 }, list: [[]] });
  });

  it('keeps at most maxProperties keys per object and items per array, PostHog $ keys first', () => {
    const result = sanitizeProperties(
      { a: 1, b: 2, c: 3, $current_url: 'u', $pathname: 'p', list: [1, 2, 3, 4] },
      limits,
    );
    expect(Object.keys(result)).toEqual(['$current_url', '$pathname', 'a']);
    expect(sanitizeProperties({ list: [1, 2, 3, 4, 5] }, limits)).toEqual({ list: [1, 2, 3] });
  });

  it('keeps scalars and null as they are', () => {
    expect(sanitizeProperties({ n: 1.5, t: true, z: null }, defaultCaptureLimits)).toEqual({
      n: 1.5,
      t: true,
      z: null,
    });
  });

  it('copies a very wide, deep payload without recursion beyond maxPropertyDepth', () => {
    let deep: Record<string, unknown> = { end: true };
    for (let i = 0; i < 10_000; i += 1) deep = { next: deep };
    const result = sanitizeProperties(
      { deep, wide: Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i])) },
      defaultCaptureLimits,
    );
    expect(Object.keys(result.wide as object)).toHaveLength(500);
    expect(JSON.stringify(result).length).toBeLessThan(20_000);
  });
});
