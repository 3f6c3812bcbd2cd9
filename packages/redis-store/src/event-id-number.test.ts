import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eventIdNumber } from './event-id-number.js';

describe('eventIdNumber', () => {
  it('gives the same id the same 52-bit number, and none for no id', () => {
    const id = '01a1fd77-7f45-7524-92e3-6992bf8a6152';
    expect(eventIdNumber(id)).toBe(eventIdNumber(`${id}`));
    expect(eventIdNumber(undefined)).toBe('');
    expect(eventIdNumber('')).toBe('');
    for (const sample of [id, 'a', 'x'.repeat(128), 'ünïcødé-ø']) {
      const number = Number(eventIdNumber(sample));
      expect(Number.isSafeInteger(number) && number >= 0 && number < 2 ** 52).toBe(true);
    }
  });

  it('keeps 100,000 random uuids and ids differing in one character apart', () => {
    const numbers = new Set<string>();
    for (let index = 0; index < 100_000; index += 1) numbers.add(eventIdNumber(randomUUID()));
    expect(numbers.size).toBe(100_000);
    const near = new Set(
      Array.from({ length: 10_000 }, (_, index) =>
        eventIdNumber(`event-${index.toString().padStart(5, '0')}`),
      ),
    );
    expect(near.size).toBe(10_000);
  });
});
