import { describeEvent } from '@threadline/core';
import { describe, expect, it } from 'vitest';
import { defaultCaptureLimits } from '../capture-limits.js';
import { extractAmplitudeEvents } from './amplitude-events.js';
import type { SourceBatch } from './source-batch.js';

const now = new Date('2026-03-01T12:00:00.000Z');
const time = Date.parse('2026-03-01T11:59:50.000Z');

function extract(payload: unknown): SourceBatch {
  const result = extractAmplitudeEvents(payload, { now }, defaultCaptureLimits);
  if (!result.ok) throw new Error(`expected events, got ${result.code}: ${result.message}`);
  return result;
}

function lines(batch: SourceBatch): (string | undefined)[] {
  return batch.events.map((event) => describeEvent(event)?.description);
}

const device = 'd7c1b2a4-5e6f-4a3b-9c8d-1e2f3a4b5c6d';

/** Fields @amplitude/analytics-browser 2.x puts on every event. */
function browserEvent(eventType: string, eventProperties: Record<string, unknown>, userId?: string) {
  return {
    device_id: device,
    ...(userId ? { user_id: userId } : {}),
    session_id: 1772366380000,
    time,
    platform: 'Web',
    language: 'en-US',
    ip: '$remote',
    insert_id: `${eventType}-${Math.abs(JSON.stringify(eventProperties).length)}`,
    event_type: eventType,
    event_properties: eventProperties,
    event_id: 3,
    library: 'amplitude-ts/2.48.1',
    user_agent: 'Mozilla/5.0',
  };
}

const pageViewed = browserEvent('[Amplitude] Page Viewed', {
  '[Amplitude] Page Domain': 'app.example.com',
  '[Amplitude] Page Location': 'https://app.example.com/checkout?step=card',
  '[Amplitude] Page Path': '/checkout',
  '[Amplitude] Page Title': 'Checkout | Acme',
  '[Amplitude] Page URL': 'https://app.example.com/checkout',
});

const iconButtonClicked = browserEvent('[Amplitude] Element Clicked', {
  '[Amplitude] Element ID': '',
  '[Amplitude] Element Class': 'icon-button',
  '[Amplitude] Element Tag': 'button',
  '[Amplitude] Element Text': '↻',
  '[Amplitude] Element Aria Label': 'Retry payment',
  '[Amplitude] Element Hierarchy': [
    { tag: 'main', index: 1, indexOfType: 0 },
    {
      tag: 'button',
      index: 2,
      indexOfType: 0,
      classes: ['icon-button'],
      attrs: { 'aria-label': 'Retry payment', type: 'button' },
    },
  ],
  '[Amplitude] Element Parent Label': 'Payment',
  '[Amplitude] Page URL': 'https://app.example.com/checkout',
  '[Amplitude] Page Title': 'Checkout | Acme',
  '[Amplitude] Viewport Height': 720,
  '[Amplitude] Viewport Width': 1280,
});

describe('extractAmplitudeEvents', () => {
  it('reads HTTP V2 events: device id anonymous, insert_id as the id, time in ms, session id', () => {
    const batch = extract({
      api_key: 'phc_public',
      events: [pageViewed],
      client_upload_time: '2026-03-01T11:59:51.000Z',
    });
    expect(batch.apiKey).toBe('phc_public');
    const [event] = batch.events;
    expect(event?.distinctId).toBe(device);
    expect(event?.uuid).toBe(pageViewed.insert_id);
    expect(event?.properties.$is_identified).toBe(false);
    expect(event?.properties.$session_id).toBe('1772366380000');
    // time corrected by client_upload_time against the server clock.
    expect(event?.timestamp.toISOString()).toBe('2026-03-01T11:59:59.000Z');
    expect(lines(batch)).toEqual(['Viewed Checkout (/checkout?step=card)']);
  });

  it('names a clicked icon button by its aria-label, not its glyph', () => {
    expect(lines(extract({ api_key: 'k', events: [iconButtonClicked] }))).toEqual([
      'Clicked "Retry payment" button on /checkout',
    ]);
  });

  it('describes autocaptured links, fields, forms, rage and dead clicks as specifically as PostHog', () => {
    const link = browserEvent('[Amplitude] Element Clicked', {
      '[Amplitude] Element Tag': 'a',
      '[Amplitude] Element Text': 'View invoices',
      '[Amplitude] Element Href': 'https://app.example.com/invoices',
      '[Amplitude] Page URL': 'https://app.example.com/billing',
    });
    const field = browserEvent('[Amplitude] Element Changed', {
      '[Amplitude] Element Tag': 'input',
      '[Amplitude] Element ID': 'company-name',
      '[Amplitude] Element Attributes': { type: 'text' },
      // The nearest heading, not the field's label: not used.
      '[Amplitude] Element Parent Label': 'Billing',
      '[Amplitude] Page URL': 'https://app.example.com/settings',
    });
    const formStarted = browserEvent('[Amplitude] Form Started', {
      '[Amplitude] Form ID': 'signup',
      '[Amplitude] Form Destination': 'https://app.example.com/signup',
    });
    const formSubmitted = browserEvent('[Amplitude] Form Submitted', { '[Amplitude] Form Name': 'checkout' });
    const rage = browserEvent('[Amplitude] Rage Click', {
      '[Amplitude] Element Tag': 'button',
      '[Amplitude] Element Text': 'Pay now',
      '[Amplitude] Page URL': 'https://app.example.com/checkout',
      '[Amplitude] Clicks': [],
    });
    const dead = browserEvent('[Amplitude] Dead Click', {
      '[Amplitude] Element Tag': 'img',
      '[Amplitude] Element Attributes': { alt: 'Company logo' },
      '[Amplitude] Page URL': 'https://app.example.com/',
    });
    expect(
      lines(extract({ api_key: 'k', events: [link, field, formStarted, formSubmitted, rage, dead] })),
    ).toEqual([
      'Clicked "View invoices" link on /billing',
      'Changed the "company-name" field on /settings',
      'Started filling in the "signup" form',
      'Submitted the "checkout" form',
      'Rage-clicked "Pay now" button on /checkout',
      'Clicked "Company logo" image on / but nothing happened',
    ]);
  });

  it('keeps custom events with their useful properties and drops Amplitude telemetry', () => {
    const custom = {
      user_id: 'user-42',
      event_type: 'Checkout Failed',
      event_properties: { reason: 'card_declined' },
      time,
    };
    const vitals = browserEvent('[Amplitude] Web Vitals', { '[Amplitude] LCP': {} });
    const session = browserEvent('session_start', {});
    expect(lines(extract({ api_key: 'k', events: [custom, vitals, session] }))).toEqual([
      'Checkout failed (reason: card_declined)',
      undefined,
      undefined,
    ]);
  });

  it("drops `$` keys from event properties and Amplitude's other `$` event types", () => {
    const batch = extract({
      api_key: 'k',
      events: [
        {
          user_id: 'u12345',
          event_type: 'Report Exported',
          event_properties: { $anon_distinct_id: 'victim', plan: 'Pro' },
        },
        { user_id: 'u12345', event_type: '$groupidentify', group_properties: { name: 'Acme' } },
      ],
    });
    expect(batch.events[0]?.properties).toEqual({ plan: 'Pro' });
    expect(lines(batch)).toEqual(['Report exported (plan: Pro)', undefined]);
  });

  it('links a device to its user once, at the first event with both ids, with a line-less merge', () => {
    const batch = extract({
      api_key: 'k',
      events: [
        pageViewed,
        { ...iconButtonClicked, user_id: 'user-42' },
        { ...pageViewed, user_id: 'user-42', insert_id: 'p2' },
      ],
    });
    expect(batch.events.map((event) => [event.event, event.distinctId])).toEqual([
      ['$pageview', device],
      ['$create_alias', 'user-42'],
      ['$autocapture', 'user-42'],
      ['$pageview', 'user-42'],
    ]);
    expect(batch.events[1]?.properties.$anon_distinct_id).toBe(device);
    expect(describeEvent(batch.events[1] as never)).toBeNull();
  });

  it('answers as Amplitude does: missing api_key or events, events missing fields, too many events', () => {
    const refuse = (payload: unknown) => extractAmplitudeEvents(payload, { now }, defaultCaptureLimits);
    expect(refuse({ events: [pageViewed] })).toMatchObject({
      ok: false,
      missingField: 'api_key',
      message: 'Request missing required field',
    });
    expect(refuse({ api_key: 'k' })).toMatchObject({ ok: false, missingField: 'events' });
    expect(
      refuse({ api_key: 'k', events: [pageViewed, { event_type: 'A' }, { user_id: 'u1' }] }),
    ).toMatchObject({
      ok: false,
      eventsWithMissingFields: { 'user_id or device_id': [1], event_type: [2] },
    });
    expect(refuse({ api_key: 'k', events: Array.from({ length: 2001 }, () => pageViewed) })).toMatchObject({
      ok: false,
      code: 'too_large',
    });
    expect(refuse([pageViewed])).toMatchObject({ ok: false, code: 'malformed' });
  });
});
