import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { type FakePostHog, posthogLikeAnswer, startFakePostHog } from '@threadline/test-helpers';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../../test/test-api.js';

const apiKey = 'phc_test_key';
let ingestion: FakePostHog;
let assets: FakePostHog;
let api: TestApi;
let apiUrl: string;
let userCounter = 0;

const newUser = (label: string) => `${label}-${++userCounter}-${randomUUID().slice(0, 8)}`;

function pageview(distinctId: string, uuid = randomUUID(), key = apiKey) {
  return {
    uuid,
    event: '$pageview',
    properties: { distinct_id: distinctId, token: key, $pathname: '/pricing', title: 'Pricing' },
    timestamp: new Date().toISOString(),
  };
}

async function descriptionsOf(userId: string, expected: number): Promise<string[]> {
  const until = Date.now() + 5_000;
  let lines: string[] = [];
  while (Date.now() < until) {
    lines = (await api.composed.deps.activity.listRecent({ productId: 'default', userId }, 50)).map(
      (action) => action.description,
    );
    if (lines.length >= expected) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return lines;
}

/** Waits until the recordings in flight are done: the copy is recorded beside the answer. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

beforeAll(async () => {
  ingestion = await startFakePostHog(posthogLikeAnswer({ flags: { 'new-billing': true } }));
  assets = await startFakePostHog();
  api = await startTestApi({ POSTHOG_UPSTREAM: ingestion.url, POSTHOG_ASSETS_UPSTREAM: assets.url });
  await api.app.listen({ port: 0, host: '127.0.0.1' });
  apiUrl = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await api?.close();
  await ingestion?.close();
  await assets?.close();
});
beforeEach(() => {
  ingestion.received.length = 0;
  assets.received.length = 0;
});

describe('PostHog passthrough: routing as PostHog documents it', () => {
  it('sends /static/* and /array/* to the assets host and everything else to ingestion, Host rewritten', async () => {
    const script = await fetch(`${apiUrl}/static/recorder.js?v=1.434.18`);
    const config = await fetch(`${apiUrl}/array/${apiKey}/config`);
    const flags = await fetch(`${apiUrl}/flags/?v=2&config=true`, { method: 'POST', body: '{}' });
    const surveys = await fetch(`${apiUrl}/api/surveys/?token=${apiKey}`);

    expect(script.status).toBe(200);
    expect(await script.text()).toContain('/static/recorder.js');
    expect(((await config.json()) as { token: string }).token).toBe(apiKey);
    expect(((await flags.json()) as { featureFlags: unknown }).featureFlags).toEqual({ 'new-billing': true });
    expect(surveys.status).toBe(200);
    expect(assets.received.map((request) => request.url)).toEqual([
      '/static/recorder.js?v=1.434.18',
      `/array/${apiKey}/config`,
    ]);
    expect(ingestion.received.map((request) => `${request.method} ${request.url}`)).toEqual([
      'POST /flags/?v=2&config=true',
      `GET /api/surveys/?token=${apiKey}`,
    ]);
    expect(new Set(assets.received.map((request) => request.headers.host))).toEqual(
      new Set([new URL(assets.url).host]),
    );
    expect(new Set(ingestion.received.map((request) => request.headers.host))).toEqual(
      new Set([new URL(ingestion.url).host]),
    );
  });

  it("returns PostHog's status, headers and body: CORS preflight and answers, /static cache headers", async () => {
    const preflight = await fetch(`${apiUrl}/e/`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.acme.io',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.acme.io');
    expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
    expect(ingestion.received[0]?.method).toBe('OPTIONS');

    const script = await fetch(`${apiUrl}/static/array.js`, { headers: { origin: 'https://app.acme.io' } });
    expect(script.headers.get('cache-control')).toBe('public, max-age=86400');
    expect(script.headers.get('etag')).toBe('"fake-static-1"');
    expect(script.headers.get('access-control-allow-origin')).toBe('https://app.acme.io');

    ingestion.answerWith((_request, response) =>
      response.writeHead(418, { 'content-type': 'text/plain', 'x-posthog-thing': 'kept' }).end('teapot'),
    );
    try {
      const odd = await fetch(`${apiUrl}/decide/?v=3`, { method: 'POST', body: 'x' });
      expect(odd.status).toBe(418);
      expect(odd.headers.get('x-posthog-thing')).toBe('kept');
      expect(await odd.text()).toBe('teapot');
    } finally {
      ingestion.answerWith(posthogLikeAnswer({ flags: { 'new-billing': true } }));
    }
  });

  it("keeps Threadline's own areas: never forwarded, whatever the method", async () => {
    expect((await fetch(`${apiUrl}/healthz`)).status).toBe(200);
    const preflight = await fetch(`${apiUrl}/mcp`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(404);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect((await fetch(`${apiUrl}/webhooks/posthog`, { method: 'POST', body: '{}' })).status).toBe(404);
    expect(ingestion.received).toEqual([]);
  });
});

describe('PostHog passthrough: the request PostHog gets', () => {
  it('is the raw body byte for byte (gzip stays gzip), the client IP in X-Forwarded-For, no cookies', async () => {
    const user = newUser('pass-gzip');
    const body = gzipSync(JSON.stringify([pageview(user)]));
    const response = await fetch(`${apiUrl}/e/?compression=gzip-js&ip=0&_=1700000000000&ver=1.434.18`, {
      method: 'POST',
      headers: {
        'content-type': 'text/plain',
        cookie: 'session=secret-cookie',
        'x-forwarded-for': '203.0.113.9',
        'x-real-ip': '203.0.113.9',
        'user-agent': 'passthrough-test',
      },
      body,
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'Ok' });
    const [received] = ingestion.received;
    expect(received?.url).toBe('/e/?compression=gzip-js&ip=0&_=1700000000000&ver=1.434.18');
    expect(received?.body.equals(body)).toBe(true);
    expect(received?.headers['content-type']).toBe('text/plain');
    expect(received?.headers['user-agent']).toBe('passthrough-test');
    expect(received?.headers.cookie).toBeUndefined();
    // No TRUST_PROXY: the client's own X-Forwarded-For is not believed.
    expect(received?.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(received?.headers['x-real-ip']).toBeUndefined();
    expect(await descriptionsOf(user, 1)).toEqual(['Viewed Pricing (/pricing)']);
  });

  it('is forwarded every time, while Threadline stores a retried uuid once', async () => {
    const user = newUser('pass-retry');
    const body = JSON.stringify({ api_key: apiKey, batch: [pageview(user)] });
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const response = await fetch(`${apiUrl}/batch/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(response.status).toBe(200);
    }
    await settle();
    expect(ingestion.received.filter((request) => request.url === '/batch/')).toHaveLength(3);
    expect(await descriptionsOf(user, 1)).toEqual(['Viewed Pricing (/pricing)']);
  });

  it("still reaches PostHog when Threadline refuses its copy (a key that is not Threadline's, a bad body)", async () => {
    const user = newUser('pass-other-key');
    const foreign = JSON.stringify([pageview(user, randomUUID(), 'phc_another_project')]);
    const garbage = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xde, 0xad]);
    for (const body of [foreign, garbage]) {
      const response = await fetch(`${apiUrl}/i/v0/e/`, { method: 'POST', body });
      expect(response.status).toBe(200);
    }
    await settle();
    expect(ingestion.received.map((request) => request.body.length)).toEqual([
      Buffer.byteLength(foreign),
      garbage.length,
    ]);
    expect(await descriptionsOf(user, 0)).toEqual([]);
  });

  it('streams a large session recording through unchanged and refuses one over 64 MB before forwarding', async () => {
    const recording = Buffer.alloc(12 * 1024 * 1024);
    for (let index = 0; index < recording.length; index += 4096) recording[index] = index % 251;
    const response = await fetch(`${apiUrl}/s/?compression=gzip-js`, { method: 'POST', body: recording });
    expect(response.status).toBe(200);
    expect(ingestion.received[0]?.body.equals(recording)).toBe(true);

    // Declared larger than PostHog's 64 MB: refused at once, before a byte goes upstream.
    const tooLarge = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = httpRequest(`${apiUrl}/s/`, {
        method: 'POST',
        headers: { 'content-length': String(64 * 1024 * 1024 + 1), 'content-type': 'text/plain' },
      });
      request.on('response', (answer) => {
        let text = '';
        answer.on('data', (chunk: Buffer) => {
          text += chunk.toString();
        });
        answer.on('end', () => {
          request.destroy();
          resolve({ status: answer.statusCode ?? 0, body: text });
        });
      });
      request.on('error', reject);
      request.write(Buffer.alloc(1024));
    });
    expect(tooLarge.status).toBe(413);
    expect(JSON.parse(tooLarge.body)).toMatchObject({ error: 'too_large' });
    expect(ingestion.received).toHaveLength(1);
  });
});

describe('PostHog passthrough with TRUST_PROXY', () => {
  it("forwards the client IP a trusted proxy gave, and counts Threadline's limits per that IP", async () => {
    const trusted = await startTestApi({ POSTHOG_UPSTREAM: ingestion.url, TRUST_PROXY: '127.0.0.1' });
    try {
      await trusted.app.listen({ port: 0, host: '127.0.0.1' });
      const url = `http://127.0.0.1:${(trusted.app.server.address() as AddressInfo).port}`;
      const response = await fetch(`${url}/e/`, {
        method: 'POST',
        headers: { 'x-forwarded-for': '198.51.100.7' },
        body: JSON.stringify([pageview(newUser('pass-trusted'))]),
      });
      expect(response.status).toBe(200);
      expect(ingestion.received[0]?.headers['x-forwarded-for']).toBe('198.51.100.7');
    } finally {
      await trusted.close();
    }
  });
});
