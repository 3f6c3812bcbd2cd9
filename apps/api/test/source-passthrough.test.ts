import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { type FakeAnswer, type FakePostHog, freePort, startFakePostHog } from '@threadline/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './test-api.js';

const writeKey = 'phc_test_key';
const timeoutMs = 400;
const basic = `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;

/** Segment's and Amplitude's own answers, as the fake upstream gives them. */
const sourceLikeAnswer: FakeAnswer = (request, response) => {
  if (request.url.startsWith('/v1/'))
    response
      .writeHead(200, { 'content-type': 'application/json', 'x-upstream': 'segment' })
      .end('{"success":true}');
  else
    response
      .writeHead(200, { 'content-type': 'application/json', 'x-upstream': 'amplitude' })
      .end('{"code":200,"events_ingested":1,"payload_size_bytes":10,"server_upload_time":1}');
};

let upstream: FakePostHog;
let api: TestApi;
let apiUrl: string;

beforeAll(async () => {
  upstream = await startFakePostHog(sourceLikeAnswer);
  api = await startTestApi({
    SEGMENT_UPSTREAM: `${upstream.url}/v1`,
    AMPLITUDE_UPSTREAM: upstream.url,
    UPSTREAM_TIMEOUT_MS: String(timeoutMs),
  });
  await api.app.listen({ port: 0, host: '127.0.0.1' });
  apiUrl = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await api?.close();
  await upstream?.close();
});

/** The user's stored lines once there are `atLeast`, or after `waitMs` (to see that no more come). */
async function storedLines(user: string, atLeast: number, waitMs = 3_000, from = api): Promise<string[]> {
  const until = Date.now() + waitMs;
  let lines: string[] = [];
  while (Date.now() < until) {
    lines = (await from.composed.deps.activity.listRecent({ productId: 'default', userId: user }, 50)).map(
      (action) => action.description,
    );
    if (lines.length >= atLeast) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return lines;
}

const post = (path: string, body: Uint8Array | string, headers: Record<string, string> = {}) =>
  fetch(`${apiUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });

function segmentBatch(user: string): Buffer {
  return gzipSync(
    JSON.stringify({
      batch: [
        {
          type: 'track',
          userId: user,
          event: 'Plan Selected',
          properties: { plan: 'Pro' },
          messageId: randomUUID(),
        },
        { type: 'track', userId: user, event: 'Invoice Paid', messageId: randomUUID() },
      ],
      sentAt: new Date().toISOString(),
    }),
  );
}

function amplitudeBody(user: string): string {
  return JSON.stringify({
    api_key: writeKey,
    events: [{ user_id: user, event_type: 'Report Exported', time: Date.now(), insert_id: randomUUID() }],
  });
}

describe('Segment and Amplitude passthrough', () => {
  it("forwards Segment's bytes unchanged (gzip, Basic auth; Host rewritten, no cookies) and records them once", async () => {
    const user = `seg-pass-${randomUUID()}`;
    const body = segmentBatch(user);
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const answer = await post('/segment/v1/batch?x=1', body, {
        authorization: basic,
        'content-encoding': 'gzip',
        cookie: 'session=secret',
      });
      expect(answer.status).toBe(200);
      expect(await answer.json()).toEqual({ success: true });
      expect(answer.headers.get('x-upstream')).toBe('segment');
    }
    const received = upstream.received.filter((request) => request.url === '/v1/batch?x=1');
    expect(received).toHaveLength(2);
    for (const request of received) {
      expect(request.body.equals(body)).toBe(true);
      expect(request.headers.host).toBe(new URL(upstream.url).host);
      expect(request.headers.authorization).toBe(basic);
      expect(request.headers['content-encoding']).toBe('gzip');
      expect(request.headers.cookie).toBeUndefined();
      expect(request.headers['x-forwarded-for']).toBe('127.0.0.1');
    }
    expect(await storedLines(user, 2)).toEqual(['Plan selected (plan: Pro)', 'Invoice paid']);
    expect(await storedLines(user, 3, 500)).toHaveLength(2);
  });

  it("forwards analytics.js's short paths (text/plain, writeKey in the body) and its telemetry, recording only events", async () => {
    const anonymousId = `ajs-pass-${randomUUID()}`;
    const page = JSON.stringify({
      type: 'page',
      name: 'Pricing',
      anonymousId,
      messageId: randomUUID(),
      writeKey,
      properties: { path: '/pricing', url: 'https://app.acme.io/pricing', title: 'Pricing | Acme' },
    });
    const answer = await post('/segment/v1/p', page, { 'content-type': 'text/plain' });
    expect(answer.status).toBe(200);
    const telemetry = await post('/segment/v1/m', '{"series":[]}', { 'content-type': 'text/plain' });
    expect(telemetry.status).toBe(200);
    const paths = upstream.received.map((request) => request.url);
    expect(paths).toContain('/v1/p');
    expect(paths).toContain('/v1/m');
    expect(upstream.received.find((request) => request.url === '/v1/p')?.body.toString()).toBe(page);
    expect(await storedLines(anonymousId, 1)).toEqual(['Viewed Pricing (/pricing)']);
  });

  it("forwards Amplitude's HTTP V2 and batch requests and returns its answer, recording once per insert_id", async () => {
    const user = `amp-pass-${randomUUID()}`;
    const body = amplitudeBody(user);
    for (const path of ['/amplitude/2/httpapi', '/amplitude/batch']) {
      const answer = await post(path, body);
      expect(answer.status).toBe(200);
      expect(await answer.json()).toMatchObject({ code: 200, events_ingested: 1 });
      expect(answer.headers.get('x-upstream')).toBe('amplitude');
    }
    const forwarded = upstream.received.filter((request) => request.body.toString() === body);
    expect(forwarded.map((request) => request.url)).toEqual(['/2/httpapi', '/batch']);
    expect(await storedLines(user, 1)).toEqual(['Report exported']);
    expect(await storedLines(user, 2, 500)).toHaveLength(1);
  });

  it("returns the upstream's 500 as it is, and the client's retry is stored once", async () => {
    const user = `seg-500-${randomUUID()}`;
    const body = segmentBatch(user);
    upstream.answerWith((_request, response) =>
      response.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"boom"}'),
    );
    try {
      const failed = await post('/segment/v1/batch', body, {
        authorization: basic,
        'content-encoding': 'gzip',
      });
      expect(failed.status).toBe(500);
      expect(await failed.json()).toEqual({ error: 'boom' });
    } finally {
      upstream.answerWith(sourceLikeAnswer);
    }
    const retried = await post('/segment/v1/batch', body, {
      authorization: basic,
      'content-encoding': 'gzip',
    });
    expect(retried.status).toBe(200);
    expect(await storedLines(user, 2)).toHaveLength(2);
    expect(await storedLines(user, 3, 500)).toHaveLength(2);
  });

  it('answers 504 past UPSTREAM_TIMEOUT_MS with the events kept; the retry adds none', async () => {
    const user = `amp-slow-${randomUUID()}`;
    const body = amplitudeBody(user);
    const held: (() => void)[] = [];
    upstream.answerWith((_request, response) => {
      const timer = setTimeout(() => response.writeHead(200).end('{"code":200}'), timeoutMs * 5);
      held.push(() => clearTimeout(timer));
    });
    try {
      const slow = await post('/amplitude/2/httpapi', body);
      expect(slow.status).toBe(504);
      expect(await slow.json()).toMatchObject({ error: 'upstream_timeout' });
    } finally {
      for (const release of held) release();
      upstream.answerWith(sourceLikeAnswer);
    }
    expect(await storedLines(user, 1)).toEqual(['Report exported']);
    expect((await post('/amplitude/2/httpapi', body)).status).toBe(200);
    expect(await storedLines(user, 2, 500)).toHaveLength(1);
  });

  it('answers 502 when the upstream refuses the connection, with the events kept once across retries', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const refused = await startTestApi({ SEGMENT_UPSTREAM: `${closed}/v1`, AMPLITUDE_UPSTREAM: closed });
    try {
      const user = `seg-refused-${randomUUID()}`;
      const body = segmentBatch(user);
      for (let attempt = 0; attempt < 2; attempt += 1) {
        const answer = await refused.app.inject({
          method: 'POST',
          url: '/segment/v1/batch',
          headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', authorization: basic },
          payload: body,
        });
        expect(answer.statusCode).toBe(502);
        expect(answer.json()).toMatchObject({ error: 'upstream_unreachable' });
      }
      expect(await storedLines(user, 2, 3_000, refused)).toHaveLength(2);
      expect(await storedLines(user, 3, 500, refused)).toHaveLength(2);
    } finally {
      await refused.close();
    }
  });

  it('routes each source to its own upstream when PostHog takes the rest', async () => {
    const posthog = await startFakePostHog();
    const all = await startTestApi({
      POSTHOG_UPSTREAM: posthog.url,
      SEGMENT_UPSTREAM: `${upstream.url}/v1`,
      AMPLITUDE_UPSTREAM: upstream.url,
    });
    try {
      const send = (url: string) =>
        all.app.inject({ method: 'POST', url, headers: { 'content-type': 'text/plain' }, payload: '{}' });
      expect((await send('/segment/v1/t')).json()).toEqual({ success: true });
      expect((await send('/amplitude/batch')).json()).toMatchObject({ code: 200 });
      expect((await send('/e/')).json()).toEqual({ status: 'Ok' });
      expect(posthog.received.map((request) => request.url)).toEqual(['/e/']);
      expect(upstream.received.map((request) => request.url)).toEqual(
        expect.arrayContaining(['/v1/t', '/batch']),
      );
    } finally {
      await all.close();
      await posthog.close();
    }
  });

  it("keeps nothing of a write key that is not Threadline's, and still forwards it", async () => {
    const user = `seg-key-${randomUUID()}`;
    const body = segmentBatch(user);
    const other = `Basic ${Buffer.from('someone-elses-key:').toString('base64')}`;
    const before = upstream.received.length;
    const answer = await post('/segment/v1/batch', body, {
      authorization: other,
      'content-encoding': 'gzip',
    });
    expect(answer.status).toBe(200);
    expect(upstream.received.length).toBe(before + 1);
    expect(await storedLines(user, 1, 800)).toEqual([]);
  });
});
