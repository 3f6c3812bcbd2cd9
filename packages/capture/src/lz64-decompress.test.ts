import fc from 'fast-check';
import LZString from 'lz-string';
import { describe, expect, it } from 'vitest';
import { decompressLz64Bounded } from './lz64-decompress.js';

describe('decompressLz64Bounded', () => {
  it('decodes whatever lz-string compressToBase64 produced, like lz-string does', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 1000 }), (text) => {
        const compressed = LZString.compressToBase64(text);
        expect(decompressLz64Bounded(compressed, 1_000_000)).toEqual({ ok: true, text });
      }),
      { numRuns: 200 },
    );
  });

  it('decodes repetitive JSON, where dictionary codes chain', () => {
    const text = JSON.stringify(Array.from({ length: 500 }, (_, i) => ({ event: '$autocapture', i })));
    expect(decompressLz64Bounded(LZString.compressToBase64(text), 1_000_000)).toEqual({ ok: true, text });
  });

  it('stops once the output passes the cap', () => {
    const compressed = LZString.compressToBase64('A'.repeat(200_000));
    expect(compressed.length).toBeLessThan(5_000);
    expect(decompressLz64Bounded(compressed, 10_000)).toEqual({ ok: false, reason: 'too_large' });
  });

  it('reports truncated or empty input as corrupt', () => {
    const compressed = LZString.compressToBase64('{"event":"$pageview","properties":{"distinct_id":"u1"}}');
    expect(decompressLz64Bounded(compressed.slice(0, 10), 1000)).toEqual({ ok: false, reason: 'corrupt' });
    expect(decompressLz64Bounded('', 1000)).toEqual({ ok: false, reason: 'corrupt' });
  });
});
