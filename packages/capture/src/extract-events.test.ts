import { describe, expect, it } from 'vitest';
import { type CaptureLimits, defaultCaptureLimits } from './capture-limits.js';
import { type ExtractedBatch, extractEvents } from './extract-events.js';

const now = new Date('2025-06-01T12:00:00.000Z');

function extract(payload: unknown, limits?: CaptureLimits, sentAt?: Date): ExtractedBatch {
  const result = extractEvents(payload, { now, sentAt }, limits);
  if (!result.ok) throw new Error(`expected events, got ${result.code}: ${result.message}`);
  return result;
}

describe('extractEvents: body shapes', () => {
  it('reads a single event object', () => {
    const batch = extract({ event: 'clicked', distinct_id: 'u1', api_key: 'phc_a', properties: { a: 1 } });
    expect(batch.apiKey).toBe('phc_a');
    expect(batch.events).toEqual([
      { event: 'clicked', distinctId: 'u1', timestamp: now, properties: { a: 1 } },
    ]);
    expect(batch.skipped).toEqual([]);
  });

  it('reads an array of events (posthog-js /e/)', () => {
    const batch = extract([
      { event: 'a', properties: { distinct_id: 'u1', token: 'phc_a' } },
      { event: 'b', properties: { distinct_id: 'u1', token: 'phc_a' } },
    ]);
    expect(batch.events.map((event) => event.event)).toEqual(['a', 'b']);
    expect(batch.apiKey).toBe('phc_a');
  });

  it('reads {api_key, batch, sent_at} (posthog-node)', () => {
    const batch = extract({
      api_key: 'phc_a',
      sent_at: '2025-06-01T12:00:05.000Z',
      batch: [{ event: 'a', distinct_id: 'u1', timestamp: '2025-06-01T12:00:00.000Z' }],
    });
    expect(batch.apiKey).toBe('phc_a');
    expect(batch.events[0]?.timestamp.toISOString()).toBe('2025-06-01T11:59:55.000Z');
  });

  it('refuses a batch that is not an array, and empty requests', () => {
    expect(extractEvents({ api_key: 'k', batch: {} }, { now })).toMatchObject({ code: 'malformed' });
    expect(extractEvents([], { now })).toEqual({
      ok: false,
      code: 'malformed',
      message: 'request contains no events',
    });
    expect(extractEvents({ api_key: 'k', batch: [] }, { now })).toMatchObject({ code: 'malformed' });
    expect(extractEvents('text', { now })).toMatchObject({ code: 'malformed' });
  });

  it('refuses more than maxEventsPerBatch events as too_large', () => {
    const limits = { ...defaultCaptureLimits, maxEventsPerBatch: 2 };
    const events = Array.from({ length: 3 }, () => ({ event: 'e', distinct_id: 'u' }));
    expect(extractEvents(events, { now }, limits)).toEqual({
      ok: false,
      code: 'too_large',
      message: 'request has 3 events; the limit is 2 per request',
    });
  });
});

describe('extractEvents: project key', () => {
  const event = { event: 'e', distinct_id: 'u' };

  it('prefers the batch-level api_key, then token', () => {
    expect(extract({ api_key: 'batch', token: 'other', batch: [{ ...event, token: 'evt' }] }).apiKey).toBe(
      'batch',
    );
    expect(extract({ token: 'batch-token', batch: [event] }).apiKey).toBe('batch-token');
  });

  it('lets the batch key cover events that name another project', () => {
    const batch = extract({ api_key: 'batch', batch: [{ ...event, token: 'other' }, event] });
    expect(batch.apiKey).toBe('batch');
    expect(batch.events).toHaveLength(2);
  });

  it('falls back to the event token, $token, api_key, then properties.token', () => {
    expect(extract({ ...event, token: 't1', properties: { token: 'p' } }).apiKey).toBe('t1');
    expect(extract({ ...event, $token: 't2' }).apiKey).toBe('t2');
    expect(extract({ ...event, api_key: 't3' }).apiKey).toBe('t3');
    expect(extract({ ...event, properties: { token: 't4' } }).apiKey).toBe('t4');
  });

  it('returns no key when the request carries none', () => {
    expect(extract(event).apiKey).toBeUndefined();
    expect(extract({ api_key: '', batch: [event] }).apiKey).toBeUndefined();
  });

  it('refuses events that carry different keys in one request', () => {
    const result = extractEvents(
      [{ ...event, token: 'a' }, { ...event }, { ...event, properties: { token: 'b' } }],
      {
        now,
      },
    );
    expect(result).toEqual({
      ok: false,
      code: 'malformed',
      message: 'events in this request carry different project keys',
    });
  });
});

describe('extractEvents: distinct id', () => {
  it('reads distinct_id at the top, as $distinct_id, or in properties; the top level wins', () => {
    expect(
      extract({ event: 'e', distinct_id: 'top', properties: { distinct_id: 'prop' } }).events[0]?.distinctId,
    ).toBe('top');
    expect(extract({ event: 'e', $distinct_id: 'dollar' }).events[0]?.distinctId).toBe('dollar');
    expect(extract({ event: 'e', properties: { distinct_id: 'prop' } }).events[0]?.distinctId).toBe('prop');
    expect(
      extract({ event: 'e', distinct_id: null, properties: { distinct_id: 'prop' } }).events[0]?.distinctId,
    ).toBe('prop');
  });

  it('turns numbers into strings and caps the length at 200', () => {
    expect(extract({ event: 'e', distinct_id: 42 }).events[0]?.distinctId).toBe('42');
    expect(extract({ event: 'e', distinct_id: 23.5 }).events[0]?.distinctId).toBe('23.5');
    expect(extract({ event: 'e', distinct_id: 'x'.repeat(250) }).events[0]?.distinctId).toHaveLength(200);
  });

  it('skips events with a missing, empty or non-string distinct id, with reasons', () => {
    const batch = extract([
      { event: 'ok', distinct_id: 'u1' },
      { event: 'missing' },
      { event: 'empty', distinct_id: '  ' },
      { event: 'object', distinct_id: { id: 1 } },
      { event: 'boolean', distinct_id: true },
    ]);
    expect(batch.events.map((event) => event.event)).toEqual(['ok']);
    expect(batch.skipped).toEqual([
      { index: 1, reason: 'distinct_id is missing' },
      { index: 2, reason: 'distinct_id is empty' },
      { index: 3, reason: 'distinct_id is a object, not a string' },
      { index: 4, reason: 'distinct_id is a boolean, not a string' },
    ]);
  });

  it('fails the request as malformed when no event is usable', () => {
    expect(extractEvents([{ event: 'a' }, { distinct_id: 'u' }], { now })).toEqual({
      ok: false,
      code: 'malformed',
      message: 'none of the 2 events is usable: event 0: distinct_id is missing',
    });
    expect(extractEvents({ event: 'a' }, { now })).toEqual({
      ok: false,
      code: 'malformed',
      message: 'event is not usable: event 0: distinct_id is missing',
    });
  });
});

describe('extractEvents: event name and fields', () => {
  it('skips events without a name or that are not objects', () => {
    const batch = extract([
      { event: '', distinct_id: 'u' },
      { event: 7, distinct_id: 'u' },
      'x',
      { event: 'ok', distinct_id: 'u' },
    ]);
    expect(batch.skipped).toEqual([
      { index: 0, reason: 'event name is not a non-empty string' },
      { index: 1, reason: 'event name is not a non-empty string' },
      { index: 2, reason: 'event is not a JSON object' },
    ]);
  });

  it('cuts event names to 200 characters', () => {
    expect(extract({ event: 'n'.repeat(300), distinct_id: 'u' }).events[0]?.event).toHaveLength(200);
  });

  it('keeps a string uuid and drops other types', () => {
    expect(
      extract({ event: 'e', distinct_id: 'u', uuid: '0190a7c5-0000-7000-8000-000000000000' }).events[0]?.uuid,
    ).toBe('0190a7c5-0000-7000-8000-000000000000');
    expect(extract({ event: 'e', distinct_id: 'u', uuid: 12 }).events[0]).not.toHaveProperty('uuid');
  });

  it('merges top-level $set/$set_once into properties, the top level winning', () => {
    const batch = extract({
      event: '$identify',
      distinct_id: 'user@example.com',
      $set: { plan: 'pro' },
      $set_once: { first_seen: 'today' },
      properties: { $set: { plan: 'free', name: 'Ada' }, $anon_distinct_id: 'anon-1' },
    });
    expect(batch.events[0]?.properties).toEqual({
      $set: { plan: 'pro', name: 'Ada' },
      $set_once: { first_seen: 'today' },
      $anon_distinct_id: 'anon-1',
    });
  });

  it('keeps $anon_distinct_id given at the top level', () => {
    const batch = extract({ event: '$identify', distinct_id: 'u', $anon_distinct_id: 'anon-2' });
    expect(batch.events[0]?.properties.$anon_distinct_id).toBe('anon-2');
  });
});

describe('extractEvents: event time', () => {
  it('uses the sent_at from the body for clock-skew correction', () => {
    const batch = extract({
      batch: [{ event: 'e', distinct_id: 'u', timestamp: '2030-01-01T00:00:00Z' }],
      sent_at: '2030-01-01T00:00:30Z',
    });
    expect(batch.events[0]?.timestamp.toISOString()).toBe('2025-06-01T11:59:30.000Z');
  });

  it('uses the query sent_at when the body has none (posthog-js `_`)', () => {
    const batch = extract(
      [{ event: 'e', properties: { distinct_id: 'u' }, timestamp: '2025-06-01T12:10:00Z' }],
      undefined,
      new Date('2025-06-01T12:10:20Z'),
    );
    expect(batch.events[0]?.timestamp.toISOString()).toBe('2025-06-01T11:59:40.000Z');
  });

  it('honours $ignore_sent_at', () => {
    const batch = extract({
      batch: [
        {
          event: 'e',
          distinct_id: 'u',
          timestamp: '2025-06-01T10:00:00Z',
          properties: { $ignore_sent_at: true },
        },
      ],
      sent_at: '2025-06-01T11:00:00Z',
    });
    expect(batch.events[0]?.timestamp.toISOString()).toBe('2025-06-01T10:00:00.000Z');
  });

  it('uses offset, then now', () => {
    const batch = extract([
      { event: 'a', distinct_id: 'u', offset: 250 },
      { event: 'b', distinct_id: 'u' },
    ]);
    expect(batch.events.map((event) => event.timestamp.toISOString())).toEqual([
      '2025-06-01T11:59:59.750Z',
      '2025-06-01T12:00:00.000Z',
    ]);
  });
});

describe('extractEvents: properties', () => {
  it('drops prototype-pollution keys at every level', () => {
    const payload = JSON.parse(
      '{"event":"e","distinct_id":"u","$set":{"__proto__":{"polluted":1}},"properties":{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"nested":{"prototype":1,"ok":2}}}',
    );
    const batch = extract(payload);
    const properties = batch.events[0]?.properties ?? {};
    expect(Object.keys(properties).sort()).toEqual(['$set', 'nested']);
    expect(properties.nested).toEqual({ ok: 2 });
    expect(properties.$set).toEqual({});
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(properties)).toBe(Object.prototype);
  });

  it('treats non-object properties as empty', () => {
    expect(extract({ event: 'e', distinct_id: 'u', properties: ['a'] }).events[0]?.properties).toEqual({});
  });
});
