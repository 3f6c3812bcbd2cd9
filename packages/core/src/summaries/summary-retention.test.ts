import { describe, expect, it } from 'vitest';
import { recordedJourneys } from './recorded-journeys.test-support.js';
import { measureRetention } from './summary-retention.test-support.js';

describe('extractive summary retention on recorded journeys', () => {
  it('keeps every error message and every page named in the raw lines (100 %)', () => {
    const results = measureRetention();
    expect(results).toHaveLength(recordedJourneys.length);
    expect(results.flatMap((result) => result.missing.map((item) => `${result.name}: ${item}`))).toEqual([]);
    const kept = results.reduce((total, result) => total + result.kept, 0);
    const expected = results.reduce((total, result) => total + result.expected, 0);
    expect(expected).toBeGreaterThan(40);
    expect(kept / expected).toBe(1);
  });
});
