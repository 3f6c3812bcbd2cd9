import { describe, expect, it } from 'vitest';
import { extractWebhookEvent } from './extract-webhook-event.js';

const now = new Date('2025-06-01T12:00:00.000Z');

// The default body of PostHog's "HTTP Webhook" destination, `{event: '{event}', person: '{person}'}`, filled in.
const destinationBody = {
  event: {
    uuid: '01972c5e-1200-7000-8000-00000000a002',
    event: '$autocapture',
    distinct_id: 'user_42',
    properties: {
      $event_type: 'click',
      $current_url: 'https://app.example.com/pricing',
      $pathname: '/pricing',
    },
    elements_chain: 'button:text="Sign up"nth-child="1"nth-of-type="1"',
    timestamp: '2025-06-01T11:59:40.123Z',
    url: 'https://us.posthog.com/project/1/events/01972c5e-1200-7000-8000-00000000a002/2025-06-01T11:59:40.123Z',
  },
  person: {
    id: '0191e3c8-0000-0000-0000-000000000000',
    properties: { email: 'ada@example.com' },
    name: 'ada@example.com',
    url: 'https://us.posthog.com/project/1/person/user_42',
  },
};

describe('extractWebhookEvent', () => {
  it('reads the destination default body and moves elements_chain into properties', () => {
    const result = extractWebhookEvent(destinationBody, { now });
    expect(result).toEqual({
      ok: true,
      event: {
        event: '$autocapture',
        distinctId: 'user_42',
        timestamp: new Date('2025-06-01T11:59:40.123Z'),
        uuid: '01972c5e-1200-7000-8000-00000000a002',
        properties: {
          $event_type: 'click',
          $current_url: 'https://app.example.com/pricing',
          $pathname: '/pricing',
          $elements_chain: 'button:text="Sign up"nth-child="1"nth-of-type="1"',
        },
      },
    });
  });

  it('keeps an $elements_chain property that is already there', () => {
    const body = {
      event: {
        ...destinationBody.event,
        properties: { $elements_chain: 'a:text="kept"' },
        elements_chain: 'other',
      },
    };
    const result = extractWebhookEvent(body, { now });
    expect(result.ok && result.event.properties.$elements_chain).toBe('a:text="kept"');
  });

  it('reads ClickHouse-style timestamps as UTC and falls back to now', () => {
    const clickhouse = extractWebhookEvent(
      { event: { ...destinationBody.event, timestamp: '2025-06-01 11:30:00.000' } },
      { now },
    );
    expect(clickhouse.ok && clickhouse.event.timestamp.toISOString()).toBe('2025-06-01T11:30:00.000Z');
    const missing = extractWebhookEvent({ event: { event: 'e', distinct_id: 'u' } }, { now });
    expect(missing.ok && missing.event.timestamp).toEqual(now);
  });

  it('reads a customized body that is the event itself', () => {
    const result = extractWebhookEvent(
      { event: 'signed up', distinct_id: 7, properties: { plan: 'pro' } },
      { now },
    );
    expect(result).toMatchObject({
      ok: true,
      event: { event: 'signed up', distinctId: '7', properties: { plan: 'pro' } },
    });
  });

  it('refuses bodies without a usable event', () => {
    expect(extractWebhookEvent([], { now })).toMatchObject({ ok: false, code: 'malformed' });
    expect(extractWebhookEvent({ person: {} }, { now })).toEqual({
      ok: false,
      code: 'malformed',
      message: 'webhook body has no event object',
    });
    expect(extractWebhookEvent({ event: { event: '$pageview' } }, { now })).toEqual({
      ok: false,
      code: 'malformed',
      message: 'webhook event is not usable: distinct_id is missing',
    });
  });

  it('sanitizes the forwarded properties', () => {
    const body = JSON.parse(
      '{"event":{"event":"e","distinct_id":"u","properties":{"__proto__":{"x":1},"a":"b"}}}',
    );
    const result = extractWebhookEvent(body, { now });
    expect(result.ok && result.event.properties).toEqual({ a: 'b' });
  });
});
