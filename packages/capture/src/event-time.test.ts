import { describe, expect, it } from 'vitest';
import { computeEventTime, maxFutureDriftMs } from './event-time.js';
import { parseEventDate } from './parse-event-date.js';
import { sentAtFromQuery } from './sent-at-from-query.js';

const now = new Date('2025-06-01T12:00:00.000Z');

describe('computeEventTime', () => {
  it('corrects client clock skew with timestamp and sent_at: now + (timestamp − sent_at)', () => {
    // The client clock runs 10 s ahead; the event happened 60 s before the send.
    const time = computeEventTime(
      { timestamp: '2025-06-01T12:00:00.000Z', sentAt: '2025-06-01T12:01:10.000Z' },
      now,
    );
    expect(time.toISOString()).toBe('2025-06-01T11:58:50.000Z');
  });

  it('corrects a client clock that runs behind', () => {
    const time = computeEventTime({ timestamp: '2025-06-01T10:59:00Z', sentAt: '2025-06-01T11:00:00Z' }, now);
    expect(time.toISOString()).toBe('2025-06-01T11:59:00.000Z');
  });

  it('takes the timestamp as given without sent_at', () => {
    expect(computeEventTime({ timestamp: '2025-06-01T08:30:00+02:00' }, now).toISOString()).toBe(
      '2025-06-01T06:30:00.000Z',
    );
  });

  it('skips the correction when the event sets $ignore_sent_at', () => {
    const time = computeEventTime(
      { timestamp: '2025-06-01T11:00:00Z', sentAt: '2025-06-01T11:30:00Z', ignoreSentAt: true },
      now,
    );
    expect(time.toISOString()).toBe('2025-06-01T11:00:00.000Z');
  });

  it('uses now − offset (posthog-js batches)', () => {
    expect(computeEventTime({ offset: 1500 }, now).toISOString()).toBe('2025-06-01T11:59:58.500Z');
  });

  it('lets offset win over timestamp, as PostHog capture does', () => {
    const time = computeEventTime(
      { offset: 1000, timestamp: '2020-01-01T00:00:00Z', sentAt: '2020-01-01T00:00:05Z' },
      now,
    );
    expect(time.toISOString()).toBe('2025-06-01T11:59:59.000Z');
  });

  it('falls back to now without any time information', () => {
    expect(computeEventTime({}, now)).toEqual(now);
  });

  it('falls through invalid values to the next rule', () => {
    expect(computeEventTime({ offset: '1500', timestamp: '2025-06-01T11:00:00Z' }, now).toISOString()).toBe(
      '2025-06-01T11:00:00.000Z',
    );
    expect(computeEventTime({ timestamp: 'yesterday', offset: 2000 }, now).toISOString()).toBe(
      '2025-06-01T11:59:58.000Z',
    );
    expect(computeEventTime({ timestamp: 'not a date' }, now)).toEqual(now);
    expect(
      computeEventTime({ timestamp: '2025-06-01T11:00:00Z', sentAt: 'garbage' }, now).toISOString(),
    ).toBe('2025-06-01T11:00:00.000Z');
    expect(computeEventTime({ offset: 1e20 }, now)).toEqual(now);
  });

  it('resets times too far in the future to now', () => {
    const soon = new Date(now.getTime() + maxFutureDriftMs - 1000);
    expect(computeEventTime({ timestamp: soon.toISOString() }, now)).toEqual(soon);
    expect(computeEventTime({ timestamp: '2031-01-01T00:00:00Z' }, now)).toEqual(now);
    expect(computeEventTime({ offset: -2 * maxFutureDriftMs }, now)).toEqual(now);
  });
});

describe('parseEventDate', () => {
  it('reads ISO 8601, ClickHouse times, epoch milliseconds and RFC 2822', () => {
    expect(parseEventDate('2025-06-01T10:00:00.123456Z')?.toISOString()).toBe('2025-06-01T10:00:00.123Z');
    expect(parseEventDate('2025-06-01 10:00:00.5')?.toISOString()).toBe('2025-06-01T10:00:00.500Z');
    expect(parseEventDate('2025-06-01T10:00:00')?.toISOString()).toBe('2025-06-01T10:00:00.000Z');
    expect(parseEventDate('2025-06-01T10:00:00.805+03')?.toISOString()).toBe('2025-06-01T07:00:00.805Z');
    expect(parseEventDate(1748772000000)?.toISOString()).toBe('2025-06-01T10:00:00.000Z');
    expect(parseEventDate('Sun, 01 Jun 2025 12:00:00 +0200')?.toISOString()).toBe('2025-06-01T10:00:00.000Z');
  });

  it('refuses dates that do not exist or cannot be read', () => {
    expect(parseEventDate('2025-02-30T10:00:00Z')).toBeUndefined();
    expect(parseEventDate('June 1st')).toBeUndefined();
    expect(parseEventDate({})).toBeUndefined();
    expect(parseEventDate(Number.NaN)).toBeUndefined();
  });
});

describe('parseEventDate: the toISOString() fast path', () => {
  // A trailing space sends the same text through the general (regex) path, after trimming.
  const bothPaths = (text: string) => [
    parseEventDate(text)?.getTime(),
    parseEventDate(`${text} `)?.getTime(),
  ];

  it('reads exactly what the general path reads, including dates that do not exist', () => {
    const edges = [
      '2025-06-01T10:00:00.123Z',
      '2024-02-29T23:59:59.999Z',
      '2025-02-29T00:00:00.000Z',
      '2000-02-29T00:00:00.000Z',
      '1900-02-29T00:00:00.000Z',
      '1000-01-01T00:00:00.000Z',
      '0999-12-31T23:59:59.999Z',
      '0050-01-01T00:00:00.000Z',
      '0000-01-01T00:00:00.000Z',
      '9999-12-31T23:59:59.999Z',
      '2025-00-10T00:00:00.000Z',
      '2025-13-10T00:00:00.000Z',
      '2025-04-31T00:00:00.000Z',
      '2025-04-00T00:00:00.000Z',
      '2025-06-01T24:00:00.000Z',
      '2025-06-01T23:60:00.000Z',
      '2025-06-01T23:59:60.000Z',
      '2025-06-30T23:59:60.000Z',
      '2025-06-01T10:00:00.12aZ',
      '2025-06-01t10:00:00.000z',
      '2025-06-01T10:00:00,000Z',
      '+02025-06-01T10:00:00.0Z',
    ];
    for (const text of edges) {
      const [fast, general] = bothPaths(text);
      expect(fast, text).toBe(general);
    }
    expect(bothPaths('2024-02-29T23:59:59.999Z')[0]).toBe(Date.UTC(2024, 1, 29, 23, 59, 59, 999));
    let seed = 7;
    const next = (limit: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % limit;
    };
    const pad = (value: number, width: number) => String(value).padStart(width, '0');
    for (let index = 0; index < 5000; index += 1) {
      const text =
        `${pad(next(10_000), 4)}-${pad(next(14), 2)}-${pad(next(33), 2)}T` +
        `${pad(next(26), 2)}:${pad(next(62), 2)}:${pad(next(62), 2)}.${pad(next(1000), 3)}Z`;
      const [fast, general] = bothPaths(text);
      expect(fast, text).toBe(general);
    }
  });
});

describe('sentAtFromQuery', () => {
  it('reads posthog-js `_` milliseconds and ignores second-based or junk values', () => {
    expect(sentAtFromQuery({ _: '1748779200000' })?.toISOString()).toBe('2025-06-01T12:00:00.000Z');
    expect(sentAtFromQuery({ _: '1748779200' })).toBeUndefined();
    expect(sentAtFromQuery({ _: 'abc' })).toBeUndefined();
    expect(sentAtFromQuery({})).toBeUndefined();
  });
});
