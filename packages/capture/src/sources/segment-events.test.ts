import { createHmac } from 'node:crypto';
import { describeEvent } from '@threadline/core';
import { describe, expect, it } from 'vitest';
import { defaultCaptureLimits } from '../capture-limits.js';
import { extractSegmentEvents, type SegmentType, segmentCallOf } from './segment-events.js';
import type { SourceBatch } from './source-batch.js';

const now = new Date('2026-03-01T12:00:00.000Z');

function extract(payload: unknown, pathType?: SegmentType, identitySecret?: string): SourceBatch {
  const bodyBytes = Buffer.byteLength(JSON.stringify(payload));
  const result = extractSegmentEvents(
    payload,
    { now, bodyBytes, ...(pathType ? { pathType } : {}), ...(identitySecret ? { identitySecret } : {}) },
    defaultCaptureLimits,
  );
  if (!result.ok) throw new Error(`expected events, got ${result.code}: ${result.message}`);
  return result;
}

function lines(batch: SourceBatch): (string | undefined)[] {
  return batch.events.map((event) => describeEvent(event)?.description);
}

// The shape analytics.js 2.0 posts to `/p` (text/plain), recorded from @segment/analytics-next.
const analyticsJsPage = {
  timestamp: '2026-03-01T11:59:58.000Z',
  integrations: {},
  type: 'page',
  properties: {
    path: '/pricing',
    referrer: '',
    search: '?plan=pro',
    title: 'Pricing | Acme',
    url: 'https://app.example.com/pricing?plan=pro',
  },
  name: 'Pricing',
  context: {
    page: {
      path: '/pricing',
      referrer: '',
      search: '?plan=pro',
      title: 'Pricing | Acme',
      url: 'https://app.example.com/pricing?plan=pro',
    },
    userAgent: 'Mozilla/5.0',
    locale: 'en-US',
    library: { name: 'analytics.js', version: 'npm:next-1.84.3' },
  },
  messageId: 'ajs-next-1772366398000-4f1c',
  anonymousId: '7b0a1f4e-3d2c-4b8a-9e61-0c5d2f8a1b3c',
  writeKey: 'phc_public',
  userId: null,
  sentAt: '2026-03-01T11:59:58.500Z',
  _metadata: { bundled: ['Segment.io'], unbundled: [], bundledIds: [] },
};

// analytics-node's batch to `/v1/batch`: Basic auth, every item with its own messageId.
const analyticsNodeBatch = {
  batch: [
    {
      type: 'identify',
      userId: 'user-42',
      anonymousId: 'anon-7',
      traits: { email: 'ada@example.com', plan: 'pro' },
      messageId: 'node-next-1',
      timestamp: '2026-03-01T11:59:50.000Z',
      context: { library: { name: '@segment/analytics-node', version: '3.1.0' } },
      _metadata: { jsRuntime: 'node' },
    },
    {
      type: 'track',
      event: 'Invoice Paid',
      userId: 'user-42',
      properties: { plan: 'pro', amount: 49, card: '4242 4242 4242 4242' },
      messageId: 'node-next-2',
      timestamp: '2026-03-01T11:59:55.000Z',
      context: { library: { name: '@segment/analytics-node', version: '3.1.0' } },
    },
  ],
  context: { page: { path: '/billing', url: 'https://app.example.com/billing' } },
  sentAt: '2026-03-01T11:59:59.000Z',
};

describe('extractSegmentEvents', () => {
  it('names the call of every Segment path, long and analytics.js short', () => {
    expect(
      ['track', 't', 'page', 'p', 'screen', 's', 'identify', 'i', 'group', 'g', 'alias', 'a'].map(
        segmentCallOf,
      ),
    ).toEqual([
      'track',
      'track',
      'page',
      'page',
      'screen',
      'screen',
      'identify',
      'identify',
      'group',
      'group',
      'alias',
      'alias',
    ]);
    expect([
      segmentCallOf('batch'),
      segmentCallOf('b'),
      segmentCallOf('m'),
      segmentCallOf('constructor'),
    ]).toEqual(['batch', 'batch', undefined, undefined]);
  });

  it('reads an analytics.js page call: "Viewed <name> (<path>)", anonymous, messageId as its id', () => {
    const batch = extract(analyticsJsPage, 'page');
    expect(batch.apiKey).toBe('phc_public');
    const [event] = batch.events;
    expect(event?.distinctId).toBe('7b0a1f4e-3d2c-4b8a-9e61-0c5d2f8a1b3c');
    expect(event?.uuid).toBe('ajs-next-1772366398000-4f1c');
    expect(event?.properties.$is_identified).toBe(false);
    // timestamp corrected by sentAt against the server clock, as PostHog capture does.
    expect(event?.timestamp.toISOString()).toBe('2026-03-01T11:59:59.500Z');
    expect(lines(batch)).toEqual(['Viewed Pricing (/pricing)']);
  });

  it('falls back to the title when a page call has no name', () => {
    const { name: _name, ...unnamed } = analyticsJsPage;
    expect(lines(extract(unnamed, 'page'))).toEqual(['Viewed Pricing (/pricing)']);
    const untitled = { ...unnamed, properties: { path: '/docs' }, context: {} };
    expect(lines(extract(untitled, 'page'))).toEqual(['Viewed /docs']);
  });

  it('merges the batch context into each item and keeps the item its own keys', () => {
    const batch = extract(analyticsNodeBatch);
    expect(batch.events.map((event) => event.properties.$pathname)).toEqual(['/billing', '/billing']);
    const ownPage = extract({
      ...analyticsNodeBatch,
      batch: [{ ...analyticsNodeBatch.batch[1], context: { page: { path: '/checkout' } } }],
    });
    expect(ownPage.events[0]?.properties.$pathname).toBe('/checkout');
  });

  it('turns identify into an $identify that merges the anonymousId and carries the traits', () => {
    const [identify, track] = extract(analyticsNodeBatch).events;
    expect(identify?.event).toBe('$identify');
    expect(identify?.distinctId).toBe('user-42');
    expect(identify?.properties.$anon_distinct_id).toBe('anon-7');
    expect(identify?.properties.$set).toEqual({ email: 'ada@example.com', plan: 'pro' });
    expect(track?.distinctId).toBe('user-42');
    expect(track?.properties.$is_identified).toBeUndefined();
  });

  it('describes track as a sentence with its useful properties, personal data redacted', () => {
    const described = lines(extract(analyticsNodeBatch));
    expect(described).toEqual(['Signed in', 'Invoice paid (plan: pro)']);
    const error = extract(
      { event: 'Payment Failed', userId: 'u1', properties: { error: 'card 4242 4242 4242 4242 declined' } },
      'track',
    );
    const [line] = lines(error);
    expect(line).toMatch(/^Payment failed \(error: card .+ declined\)$/);
    expect(line).not.toContain('4242 4242');
  });

  it('turns alias into a merge of previousId that writes no line', () => {
    const batch = extract({ userId: 'user-42', previousId: 'anon-9', messageId: 'm-1' }, 'alias');
    expect(batch.events[0]?.event).toBe('$create_alias');
    expect(batch.events[0]?.properties.$anon_distinct_id).toBe('anon-9');
    expect(lines(batch)).toEqual([undefined]);
  });

  it("never lets a product's own properties or event names carry PostHog's `$` meanings", () => {
    const batch = extract({
      batch: [
        {
          type: 'track',
          userId: 'attacker',
          event: '$identify',
          properties: { $anon_distinct_id: 'victim' },
        },
        {
          type: 'track',
          userId: 'u1',
          event: 'Report Exported',
          properties: { $anon_distinct_id: 'victim', $is_identified: false, plan: 'Pro' },
        },
        { type: 'identify', userId: 'u1', traits: { $anon_distinct_id: 'victim', email: 'a@example.com' } },
      ],
    });
    expect(batch.skipped).toEqual([{ index: 0, reason: 'event names starting with $ are reserved' }]);
    expect(batch.events[0]?.properties).toEqual({ plan: 'Pro' });
    expect(batch.events[1]?.properties).toEqual({ $set: { email: 'a@example.com' } });
  });

  it('reads screen and drops group', () => {
    expect(lines(extract({ userId: 'u1', name: 'Settings' }, 'screen'))).toEqual(['Viewed screen Settings']);
    expect(lines(extract({ userId: 'u1', groupId: 'acme', traits: { name: 'Acme' } }, 'group'))).toEqual([
      undefined,
    ]);
  });

  it('skips items without an id or a known type, and fails when none is usable', () => {
    const batch = extract({
      batch: [
        { type: 'track', event: 'A' },
        { type: 'nope', userId: 'u' },
        { type: 'track', event: 'B', userId: 'u' },
      ],
    });
    expect(batch.events.map((event) => event.event)).toEqual(['B']);
    expect(batch.skipped.map((skip) => skip.index)).toEqual([0, 1]);
    expect(batch.skipped[0]?.reason).toBe('userId or anonymousId is required');
    const none = extractSegmentEvents(
      { event: 'A' },
      { now, bodyBytes: 20, pathType: 'track' },
      defaultCaptureLimits,
    );
    expect(none).toMatchObject({ ok: false, code: 'malformed' });
    const notBatch = extractSegmentEvents({ batch: 'x' }, { now, bodyBytes: 20 }, defaultCaptureLimits);
    expect(notBatch).toMatchObject({
      ok: false,
      code: 'malformed',
      message: 'batch must be an array of Segment calls',
    });
  });

  it('refuses a batch holding an event over 32 KB, as Segment does', () => {
    const big = { type: 'track', event: 'A', userId: 'u', properties: { blob: 'x'.repeat(33 * 1024) } };
    const payload = { batch: [{ type: 'track', event: 'B', userId: 'u' }, big] };
    const result = extractSegmentEvents(
      payload,
      { now, bodyBytes: Buffer.byteLength(JSON.stringify(payload)) },
      defaultCaptureLimits,
    );
    expect(result).toMatchObject({
      ok: false,
      code: 'malformed',
      message: 'event 1 is larger than 32768 bytes',
    });
  });

  it('verifies the Intercom user_hash Segment users send for the Intercom destination', () => {
    const secret = 'identity-secret';
    const userHash = createHmac('sha256', secret).update('user-42').digest('hex');
    const viaIntegrations = extract(
      { userId: 'user-42', event: 'A', integrations: { Intercom: { user_hash: userHash } } },
      'track',
      secret,
    );
    expect(viaIntegrations.events[0]?.verified).toBe(true);
    expect(viaIntegrations.events[0]?.properties.$user_hash).toBeUndefined();
    const viaContext = extract(
      { userId: 'user-42', event: 'A', context: { Intercom: { user_hash: userHash } } },
      'track',
      secret,
    );
    expect(viaContext.events[0]?.verified).toBe(true);
    const forged = extract(
      { userId: 'user-43', event: 'A', context: { Intercom: { user_hash: userHash } } },
      'track',
      secret,
    );
    expect(forged.events[0]?.verified).toBeUndefined();
  });
});
