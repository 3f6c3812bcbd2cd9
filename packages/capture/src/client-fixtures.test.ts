import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describeEvent } from '@threadline/core';
import { describe, expect, it } from 'vitest';
import { decodeCaptureBody } from './decode-capture-body.js';
import { extractEvents } from './extract-events.js';
import { sentAtFromQuery } from './sent-at-from-query.js';

function fixture(name: string): string {
  return readFileSync(new URL(`../test/fixtures/${name}`, import.meta.url), 'utf8');
}

const now = new Date('2025-06-01T12:00:00.000Z');

describe('real client bodies', () => {
  it('reads a posthog-node 5.x gzip batch, correcting its clock skew', () => {
    const body = gzipSync(fixture('posthog-node-5-batch.json'));
    const decoded = decodeCaptureBody({
      body,
      contentType: 'application/json',
      contentEncoding: 'gzip',
      query: {},
    });
    if (!decoded.ok) throw new Error(decoded.message);
    const batch = extractEvents(decoded.payload, { now });
    if (!batch.ok) throw new Error(batch.message);

    expect(batch.apiKey).toBe('phc_fixtureProjectKey');
    expect(batch.skipped).toEqual([]);
    // The server's clock ran 30 s ahead of ours: sent_at 12:00:30 arrived at 12:00:00.
    expect(
      batch.events.map((event) => [event.event, event.distinctId, event.timestamp.toISOString()]),
    ).toEqual([
      ['order completed', 'user_42', '2025-06-01T11:59:58.000Z'],
      ['$identify', 'user_42', '2025-06-01T11:59:59.000Z'],
    ]);
    expect(batch.events[0]?.uuid).toBe('01972c5e-2a40-7b3c-9f1e-2d4c6b8a0e11');
    expect(batch.events[1]?.properties).toMatchObject({
      $set: { email: 'ada@example.com', plan: 'pro' },
      $anon_distinct_id: '01972c5d-ffff-7aaa-8bbb-000000000001',
    });
  });

  it('reads a posthog-js 1.434 gzip /e/ body sent as text/plain', () => {
    const query = { ip: '0', _: String(now.getTime()), ver: '1.434.0', compression: 'gzip-js' };
    const decoded = decodeCaptureBody({
      body: gzipSync(fixture('posthog-js-1.434-batch.json')),
      contentType: 'text/plain',
      query,
    });
    if (!decoded.ok) throw new Error(decoded.message);
    const batch = extractEvents(decoded.payload, { now, sentAt: sentAtFromQuery(query) });
    if (!batch.ok) throw new Error(batch.message);

    expect(batch.apiKey).toBe('phc_fixtureProjectKey');
    expect(
      batch.events.map((event) => [event.event, event.distinctId, event.timestamp.toISOString()]),
    ).toEqual([
      ['$pageview', '01972c5d-ffff-7aaa-8bbb-000000000001', '2025-06-01T11:59:55.500Z'],
      ['$autocapture', '01972c5d-ffff-7aaa-8bbb-000000000001', '2025-06-01T11:59:58.000Z'],
      ['$identify', 'user_42', '2025-06-01T11:59:59.200Z'],
    ]);
    expect(batch.events[1]?.properties.$elements_chain).toContain('text="Sign up"');
    expect(batch.events[2]?.properties).toMatchObject({
      $anon_distinct_id: '01972c5d-ffff-7aaa-8bbb-000000000001',
      $set: { email: 'ada@example.com' },
    });
  });
});

describe('what posthog-js 1.434 records for icons, images and fields (recorded in Chromium)', () => {
  it('names each by its accessible name where posthog-js captured one, else by a developer name', () => {
    const recorded = JSON.parse(fixture('posthog-js-1.434-accessible-names.json')) as {
      events: { event: string; properties: Record<string, unknown> }[];
    };
    const lines = recorded.events.map(
      (event) =>
        describeEvent({ ...event, distinctId: 'u1', timestamp: now, properties: { ...event.properties } })
          ?.description,
    );
    expect(lines).toEqual([
      // <button aria-label="Retry payment">↻</button>
      'Clicked "Retry payment" button on /invoices',
      // a click on the <path> of an <svg> inside <button aria-label="Delete invoice">: posthog-js reports the button
      'Clicked "Delete invoice" button on /invoices',
      // <a href="/home"><img alt="Acme home"></a>
      'Clicked "Acme home" link on /invoices',
      // <button id="settings"><svg><title>Settings</title>…: posthog-js keeps no <title>, the id remains
      'Clicked "settings" button on /home',
      // <button id="close" aria-labelledby="dialog-title">×</button>: the label's text is not captured
      'Clicked "close" button on /home',
      // <label for="email">Work email</label><input name="email">: the label is not captured either
      'Changed the "email" field on /home',
      // <input name="q" placeholder="Search invoices">: the name comes before the placeholder
      'Changed the "q" field on /home',
      // <input aria-label="Coupon code">
      'Changed the "Coupon code" field on /home',
      // <input id="bare">
      'Changed the "bare" field on /home',
    ]);
  });
});
