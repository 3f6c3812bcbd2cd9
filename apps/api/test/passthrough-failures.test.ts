import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type FakePostHog, freePort, posthogLikeAnswer, startFakePostHog } from '@threadline/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './test-api.js';

const apiKey = 'phc_test_key';
const timeoutMs = 400;
let upstream: FakePostHog;
let api: TestApi;
let apiUrl: string;
let socketsBefore: number;

const openSockets = () => process.getActiveResourcesInfo().filter((kind) => kind === 'TCPSocketWrap').length;

function batchOf(user: string, count = 2): string {
  return JSON.stringify({
    api_key: apiKey,
    batch: Array.from({ length: count }, (_, index) => ({
      uuid: randomUUID(),
      event: '$pageview',
      distinct_id: user,
      properties: { $pathname: `/step-${index}`, title: `Step ${index}` },
      timestamp: new Date(Date.now() - (count - index) * 1000).toISOString(),
    })),
  });
}

/** The user's stored actions once there are `atLeast`, or after `waitMs` (to see that no more come). */
async function storedCount(user: string, atLeast: number, waitMs = 3_000, from = api): Promise<number> {
  const until = Date.now() + waitMs;
  let count = 0;
  while (Date.now() < until) {
    count = (await from.composed.deps.activity.listRecent({ productId: 'default', userId: user }, 50)).length;
    if (count >= atLeast) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return count;
}

const post = (path: string, body: string) =>
  fetch(`${apiUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

beforeAll(async () => {
  socketsBefore = openSockets();
  upstream = await startFakePostHog();
  api = await startTestApi({ POSTHOG_UPSTREAM: upstream.url, UPSTREAM_TIMEOUT_MS: String(timeoutMs) });
  await api.app.listen({ port: 0, host: '127.0.0.1' });
  apiUrl = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await api?.close();
  await upstream?.close();
});

describe('PostHog passthrough when the upstream fails', () => {
  it("returns PostHog's 500 as it is, and stores the events once across the client's retry", async () => {
    const user = `fail-500-${randomUUID()}`;
    const body = batchOf(user);
    upstream.answerWith((_request, response) =>
      response.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"boom"}'),
    );
    const failed = await post('/batch/', body);
    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({ error: 'boom' });
    upstream.answerWith(posthogLikeAnswer());
    expect((await post('/batch/', body)).status).toBe(200);
    expect(await storedCount(user, 2)).toBe(2);
    expect(await storedCount(user, 3, 500)).toBe(2);
  });

  it('answers 504 past UPSTREAM_TIMEOUT_MS, with the events already stored; the retry adds none', async () => {
    const user = `fail-slow-${randomUUID()}`;
    const body = batchOf(user, 3);
    const held: (() => void)[] = [];
    upstream.answerWith((_request, response) => {
      const timer = setTimeout(() => response.writeHead(200).end('{"status":"Ok"}'), timeoutMs * 5);
      held.push(() => clearTimeout(timer));
    });
    const slow = await post('/e/', body);
    expect(slow.status).toBe(504);
    expect(await slow.json()).toMatchObject({ error: 'upstream_timeout' });
    expect(await storedCount(user, 3)).toBe(3);
    for (const release of held) release();
    upstream.answerWith(posthogLikeAnswer());
    expect((await post('/e/', body)).status).toBe(200);
    expect(await storedCount(user, 4, 500)).toBe(3);
  });

  it('answers 502 when PostHog refuses the connection, with the events stored once', async () => {
    const closedPort = await freePort();
    const refused = await startTestApi({ POSTHOG_UPSTREAM: `http://127.0.0.1:${closedPort}` });
    try {
      const user = `fail-refused-${randomUUID()}`;
      const body = batchOf(user);
      for (let attempt = 0; attempt < 2; attempt += 1) {
        const answer = await refused.app.inject({
          method: 'POST',
          url: '/batch/',
          headers: { 'content-type': 'application/json', origin: 'https://app.acme.io' },
          payload: body,
        });
        expect(answer.statusCode).toBe(502);
        expect(answer.json()).toMatchObject({ error: 'upstream_unreachable' });
        // posthog-js sees the status (and retries) only with CORS on the answer.
        expect(answer.headers['access-control-allow-origin']).toBe('https://app.acme.io');
      }
      expect(await storedCount(user, 2, 3_000, refused)).toBe(2);
      expect(await storedCount(user, 3, 500, refused)).toBe(2);
    } finally {
      await refused.close();
    }
  });

  it('passes a 5 MB answer through whole', async () => {
    const large = Buffer.alloc(5 * 1024 * 1024);
    for (let index = 0; index < large.length; index += 1) large[index] = (index * 31) % 256;
    upstream.answerWith((_request, response) =>
      response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(large),
    );
    try {
      const answer = await fetch(`${apiUrl}/static/big.js`);
      expect(answer.status).toBe(200);
      expect(Buffer.from(await answer.arrayBuffer()).equals(large)).toBe(true);
    } finally {
      upstream.answerWith(posthogLikeAnswer());
    }
  });

  it('records nothing of a client that disconnects mid-upload, and keeps serving', async () => {
    const user = `fail-abort-${randomUUID()}`;
    const body = Buffer.from(batchOf(user, 50));
    const before = upstream.received.length;
    await new Promise<void>((resolve) => {
      const request = httpRequest(`${apiUrl}/batch/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(body.length) },
      });
      request.on('error', () => resolve());
      request.on('close', () => resolve());
      request.write(body.subarray(0, body.length / 2), () => setTimeout(() => request.destroy(), 100));
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(upstream.received.length).toBe(before);
    expect(await storedCount(user, 1, 300)).toBe(0);
    // The same batch sent whole afterwards is stored, once.
    expect((await post('/batch/', body.toString())).status).toBe(200);
    expect(await storedCount(user, 50)).toBe(50);
  });

  it('leaves no socket open once the app is closed, and the upstream keeps a bounded pool', async () => {
    expect(upstream.openConnections()).toBeLessThanOrEqual(8);
    await api.close();
    await upstream.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(openSockets()).toBeLessThanOrEqual(socketsBefore);
  });
});
