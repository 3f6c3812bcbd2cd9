import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { type LocalRedis, startLocalRedis } from '@threadline/test-helpers';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../../test/test-api.js';

const writeKey = 'phc_test_key';
const webhookSecret = 'segment_webhook_secret_test';
const basic = `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;

function newUser(label: string): string {
  return `${label}-${randomUUID().slice(0, 8)}`;
}

function send(api: TestApi, options: InjectOptions): Promise<LightMyRequestResponse> {
  return api.app.inject(options) as Promise<LightMyRequestResponse>;
}

function post(api: TestApi, url: string, body: unknown, headers: Record<string, string> = {}) {
  return send(api, {
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', ...headers },
    payload: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
  });
}

async function descriptions(api: TestApi, userId: string): Promise<string[]> {
  const actions = await api.composed.deps.activity.listRecent({ productId: 'default', userId }, 50);
  return actions.map((action) => action.description);
}

function page(anonymousId: string, path: string, name: string, extra: Record<string, unknown> = {}) {
  return {
    type: 'page',
    name,
    anonymousId,
    messageId: randomUUID(),
    timestamp: new Date().toISOString(),
    properties: { path, url: `https://app.acme.io${path}`, title: `${name} | Acme` },
    ...extra,
  };
}

describe('Segment routes', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ SEGMENT_WEBHOOK_SECRET: webhookSecret });
  });
  afterAll(async () => api.close());

  it('answers the HTTP Tracking API with {"success":true} and stores specific lines, Basic auth', async () => {
    const user = newUser('http');
    const track = {
      userId: user,
      event: 'Plan Selected',
      properties: { plan: 'Pro' },
      messageId: randomUUID(),
    };
    const response = await post(api, '/segment/v1/track', track, { authorization: basic });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ success: true });
    expect(await descriptions(api, user)).toEqual(['Plan selected (plan: Pro)']);
  });

  it("takes analytics.js's short paths with JSON as text/plain and writeKey in the body, with CORS", async () => {
    const anonymousId = newUser('ajs');
    const response = await send(api, {
      method: 'POST',
      url: '/segment/v1/p',
      headers: { 'content-type': 'text/plain', origin: 'https://shop.example.com' },
      payload: JSON.stringify({ ...page(anonymousId, '/pricing', 'Pricing'), writeKey }),
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['access-control-allow-origin']).toBe('https://shop.example.com');
    expect(await descriptions(api, anonymousId)).toEqual(['Viewed Pricing (/pricing)']);
  });

  it('merges the anonymous history on identify, and a batch keeps its order and context', async () => {
    const anonymousId = newUser('anon');
    const user = newUser('user');
    await post(api, '/segment/v1/p', { ...page(anonymousId, '/pricing', 'Pricing'), writeKey });
    const later = (seconds: number) => new Date(Date.now() + seconds * 1000).toISOString();
    const response = await post(api, '/segment/v1/batch', {
      writeKey,
      context: { page: { path: '/checkout', url: 'https://app.acme.io/checkout' } },
      batch: [
        {
          type: 'identify',
          userId: user,
          anonymousId,
          traits: { email: 'ada@example.com' },
          timestamp: later(1),
        },
        { type: 'track', userId: user, event: 'Checkout Started', timestamp: later(2) },
      ],
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(await descriptions(api, user)).toEqual([
      'Viewed Pricing (/pricing)',
      'Signed in',
      'Checkout started',
    ]);
    const [, , checkout] = await api.composed.deps.activity.listRecent(
      { productId: 'default', userId: user },
      50,
    );
    expect(checkout?.page).toBe('/checkout');
  });

  it('stores an event retried with the same messageId once, and takes gzip (RudderStack)', async () => {
    const user = newUser('dedupe');
    const event = { type: 'track', userId: user, event: 'Invoice Paid', messageId: randomUUID() };
    const body = gzipSync(JSON.stringify({ batch: [event] }));
    for (let attempt = 0; attempt < 2; attempt++) {
      const response = await post(api, '/segment/v1/batch', body, {
        authorization: basic,
        'content-encoding': 'gzip',
      });
      expect(response.statusCode, response.body).toBe(200);
    }
    expect(await descriptions(api, user)).toEqual(['Invoice paid']);
  });

  it('refuses as Segment does: 400 over 32 KB per event or 500 KB per batch, or malformed; 401 for a wrong key', async () => {
    const user = newUser('limits');
    const big = { userId: user, event: 'Big', properties: { blob: 'x'.repeat(33 * 1024) } };
    const tooBigEvent = await post(api, '/segment/v1/track', big, { authorization: basic });
    expect(tooBigEvent.statusCode).toBe(400);
    expect(tooBigEvent.json()).toMatchObject({ success: false, error: 'too_large' });
    const inBatch = await post(
      api,
      '/segment/v1/batch',
      { batch: [{ ...big, type: 'track' }] },
      { authorization: basic },
    );
    expect(inBatch.statusCode).toBe(400);
    expect(inBatch.json().message).toMatch(/event 0 is larger than 32768 bytes/);
    const hugeBatch = Array.from({ length: 20 }, () => ({
      type: 'track',
      userId: user,
      event: 'x'.repeat(30 * 1024),
    }));
    const tooBigBatch = await post(api, '/segment/v1/batch', { batch: hugeBatch }, { authorization: basic });
    expect(tooBigBatch.statusCode).toBe(400);
    expect(tooBigBatch.json()).toMatchObject({ error: 'too_large' });
    const malformed = await post(api, '/segment/v1/track', '{"userId":', { authorization: basic });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ success: false, error: 'malformed' });
    const wrongKey = await post(api, '/segment/v1/track', { userId: user, event: 'A', writeKey: 'nope' });
    expect(wrongKey.statusCode).toBe(401);
    expect(wrongKey.json()).toMatchObject({ error: 'unknown_write_key' });
    const unknownCall = await post(api, '/segment/v1/nope', {}, { authorization: basic });
    expect(unknownCall.statusCode).toBe(404);
    expect(await descriptions(api, user)).toEqual([]);
  });

  it("answers analytics.js's telemetry (/m) and storing nothing", async () => {
    const response = await send(api, {
      method: 'POST',
      url: '/segment/v1/m',
      headers: { 'content-type': 'text/plain' },
      payload: '{"series":[]}',
    });
    expect(response.statusCode).toBe(200);
  });

  it('takes a Webhooks (Actions) destination: one event or an array, with the bearer secret', async () => {
    const user = newUser('webhook');
    const single = {
      type: 'track',
      userId: user,
      event: 'Report Exported',
      messageId: randomUUID(),
      timestamp: new Date().toISOString(),
    };
    const headers = { authorization: `Bearer ${webhookSecret}` };
    expect((await post(api, '/webhooks/segment', single, headers)).statusCode).toBe(200);
    const later = {
      ...page(user, '/reports', 'Reports'),
      userId: user,
      timestamp: new Date(Date.now() + 1000).toISOString(),
    };
    expect((await post(api, '/webhooks/segment', [later], headers)).statusCode).toBe(200);
    expect(await descriptions(api, user)).toEqual(['Report exported', 'Viewed Reports (/reports)']);
    const wrong = await post(api, '/webhooks/segment', single, { authorization: 'Bearer wrong' });
    expect(wrong.statusCode).toBe(401);
    expect((await post(api, '/webhooks/segment', single)).statusCode).toBe(401);
  });
});

describe('Segment routes: limits and outages', () => {
  let redis: LocalRedis;
  let api: TestApi | undefined;
  beforeAll(async () => {
    redis = await startLocalRedis();
  });
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });
  afterAll(async () => redis.stop());

  it('429 with Retry-After past the per-IP events of a minute, before the body is read', async () => {
    api = await startTestApi({ REDIS_URL: redis.url, CAPTURE_IP_EVENTS_PER_MINUTE: '3' });
    const user = newUser('quota');
    const batch = {
      writeKey,
      batch: Array.from({ length: 4 }, () => ({ type: 'track', userId: user, event: 'A' })),
    };
    const over = await post(api, '/segment/v1/batch', batch);
    expect(over.statusCode).toBe(429);
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    const early = await post(api, '/segment/v1/t', 'not json', { 'content-type': 'text/plain' });
    expect(early.statusCode).toBe(429);
  });

  it("shares the app's refusal memory with PostHog capture and Amplitude; the webhook is not counted per IP", async () => {
    api = await startTestApi({
      REDIS_URL: redis.url,
      CAPTURE_IP_EVENTS_PER_MINUTE: '3',
      SEGMENT_WEBHOOK_SECRET: webhookSecret,
    });
    const user = newUser('shared');
    const steps = Array.from({ length: 4 }, (_, index) => ({
      type: 'track',
      userId: user,
      event: `Step ${index}`,
      messageId: randomUUID(),
      timestamp: new Date(Date.now() + index).toISOString(),
    }));
    const webhook = await post(api, '/webhooks/segment', steps, { authorization: `Bearer ${webhookSecret}` });
    expect(webhook.statusCode).toBe(200);
    expect(await descriptions(api, user)).toEqual(['Step 0', 'Step 1', 'Step 2', 'Step 3']);
    const posthog = await post(api, '/batch/', {
      api_key: writeKey,
      batch: Array.from({ length: 4 }, () => ({ event: 'A', distinct_id: user })),
    });
    expect(posthog.statusCode).toBe(429);
    // Unreadable bodies: only a refusal remembered before the body is read answers them 429.
    const segment = await post(api, '/segment/v1/t', 'not json', { 'content-type': 'text/plain' });
    expect(segment.statusCode).toBe(429);
    expect(segment.json()).toMatchObject({ error: 'ip_events' });
    const amplitude = await post(api, '/amplitude/2/httpapi', 'not json');
    expect(amplitude.statusCode).toBe(429);
    expect(Number(amplitude.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('503 with Retry-After while Redis is down, and the webhook too', async () => {
    api = await startTestApi({ REDIS_URL: redis.url, SEGMENT_WEBHOOK_SECRET: webhookSecret });
    const current = api;
    await redis.kill();
    for (let tries = 0; tries < 100 && current.composed.deps.isRedisConnected(); tries++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const event = { type: 'track', userId: 'u-outage', event: 'A', writeKey };
    const during = await post(current, '/segment/v1/t', event);
    expect(during.statusCode).toBe(503);
    expect(during.headers['retry-after']).toBe('1');
    const webhook = await post(current, '/webhooks/segment', event, {
      authorization: `Bearer ${webhookSecret}`,
    });
    expect(webhook.statusCode).toBe(503);
    await redis.restart();
  });
});
