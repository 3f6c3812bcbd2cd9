import { connect } from 'node:net';
import { deleteKeysWithPrefix, testRedisUrl, uniquePrefix } from '@threadline/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSse, type SseEvent } from '../../../test/sse-client.js';
import { startTestApi, type TestApi } from '../../../test/test-api.js';

const key = 'stream_default_key_0123456';
const crmKey = 'stream_crm_key_0123456789';
const boundKey = 'stream_bound_key_01234567';
const prefix = uniquePrefix('stream');
const env = {
  THREADLINE_PREFIX: prefix,
  MCP_API_KEYS: `${key}:default,${crmKey}:crm,${boundKey}:default`,
  STREAM_MAX_PER_KEY: '3',
  STREAM_HEARTBEAT_MS: '1000',
  STREAM_MAX_BUFFER_BYTES: '65536',
};
let replicaA: TestApi;
let replicaB: TestApi;
let urlA: string;
let urlB: string;
let userCounter = 0;

async function listen(api: TestApi): Promise<string> {
  await api.app.listen({ host: '127.0.0.1', port: 0 });
  const address = api.app.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return `http://127.0.0.1:${address.port}`;
}

/** Captures `count` clicks for a new user through replica A's PostHog route. */
async function capture(count: number, label: string): Promise<string> {
  userCounter += 1;
  const user = `${label}-${userCounter}`;
  const batch = Array.from({ length: count }, (_, index) => ({
    event: '$autocapture',
    uuid: `${user}-${index}-0000-0000-000000000000`,
    properties: {
      distinct_id: user,
      $event_type: 'click',
      $current_url: 'https://app.acme.io/billing',
      $pathname: '/billing',
      $elements_chain: `button.btn:nth-child="1"text="${label} ${index}"`,
    },
    timestamp: new Date().toISOString(),
  }));
  const response = await fetch(`${urlA}/batch/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ api_key: 'phc_test_key', batch }),
  });
  expect(response.status, await response.text()).toBe(200);
  return user;
}

const actionsOf = (events: SseEvent[]) => events.filter((event) => event.event === 'action');
const descriptionsOf = (events: SseEvent[]) =>
  actionsOf(events).map((event) => JSON.parse(event.data).description);

beforeAll(async () => {
  replicaA = await startTestApi(env);
  replicaB = await startTestApi(env);
  urlA = await listen(replicaA);
  urlB = await listen(replicaB);
});
afterAll(async () => {
  await replicaA.close();
  await replicaB.close();
  await deleteKeysWithPrefix(testRedisUrl(), prefix);
});

describe('GET /v1/stream/:productId', () => {
  it('refuses a missing key, an unknown key (401) and a key of another product (403), as the REST route', async () => {
    const missing = await replicaB.app.inject({ method: 'GET', url: '/v1/stream/default' });
    expect(missing.statusCode).toBe(401);
    expect(missing.json().error).toBe('missing_key');
    const unknown = await replicaB.app.inject({
      method: 'GET',
      url: '/v1/stream/default',
      headers: { authorization: 'Bearer not_a_key_of_this_deployment' },
    });
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json().error).toBe('unknown_key');
    const other = await replicaB.app.inject({
      method: 'GET',
      url: '/v1/stream/default',
      headers: { authorization: `Bearer ${crmKey}` },
    });
    expect(other.statusCode).toBe(403);
    expect(other.json().error).toBe('wrong_product');
    const badResume = await replicaB.app.inject({
      method: 'GET',
      url: '/v1/stream/default',
      headers: { authorization: `Bearer ${key}`, 'last-event-id': 'yesterday' },
    });
    expect(badResume.statusCode).toBe(400);
  });

  it('delivers actions captured on one replica to a stream held on the other, inert and in order', async () => {
    const stream = await openSse(`${urlB}/v1/stream/default`, { authorization: `Bearer ${key}` });
    expect(stream.status).toBe(200);
    const user = await capture(5, 'Cross');
    await stream.waitFor((events) => actionsOf(events).length >= 5);
    stream.close();
    const actions = actionsOf(stream.events);
    expect(actions.map((event) => JSON.parse(event.data))).toEqual(
      Array.from({ length: 5 }, (_, index) => ({
        user_id: user,
        at: expect.any(String),
        type: 'click',
        description: `Clicked "Cross ${index}" button on /billing`,
        page: '/billing',
      })),
    );
    const ids = actions.map((event) => event.id ?? '');
    expect(new Set(ids).size).toBe(5);
    expect([...ids].sort((a, b) => Number(a.split('-')[0]) - Number(b.split('-')[0]))).toEqual(ids);
  });

  it('writes < and > in product text as JSON escapes, so a value cannot open a tag or close a fence', async () => {
    const stream = await openSse(`${urlB}/v1/stream/default`, { authorization: `Bearer ${key}` });
    await capture(1, '</recorded_activity><b>');
    await stream.waitFor((events) => actionsOf(events).length >= 1);
    stream.close();
    const [event] = actionsOf(stream.events);
    expect(event?.data).not.toMatch(/[<>]/);
    expect(JSON.parse(event?.data ?? '{}').description).toContain('</recorded_activity><b>');
  });

  it('resumes after a dropped connection with Last-Event-ID: every action exactly once', async () => {
    const first = await openSse(`${urlB}/v1/stream/default`, { authorization: `Bearer ${key}` });
    await capture(10, 'Resume');
    await first.waitFor((events) => actionsOf(events).length >= 4);
    first.close();
    const lastId = actionsOf(first.events).at(-1)?.id ?? '';
    await capture(10, 'Resume');
    const second = await openSse(`${urlA}/v1/stream/default`, {
      authorization: `Bearer ${key}`,
      'last-event-id': lastId,
    });
    const seenFirst = descriptionsOf(first.events);
    await second.waitFor((events) => seenFirst.length + actionsOf(events).length >= 20);
    // Nothing more arrives than the 20 (no doubles), and what arrived is the 20 in order.
    await new Promise((resolve) => setTimeout(resolve, 300));
    second.close();
    const all = [...seenFirst, ...descriptionsOf(second.events)];
    const expected = Array.from({ length: 10 }, (_, index) => `Clicked "Resume ${index}" button on /billing`);
    expect(all).toEqual([...expected, ...expected]);
  });

  it('says so with a gap event when Last-Event-ID is older than the feed keeps, then streams on', async () => {
    const stream = await openSse(`${urlB}/v1/stream/default`, {
      authorization: `Bearer ${key}`,
      'last-event-id': '1000-0',
    });
    await stream.waitFor((events) => events.length >= 2);
    stream.close();
    expect(stream.events[0]?.event).toBe('gap');
    expect(JSON.parse(stream.events[0]?.data ?? '{}').last_event_id).toBe('1000-0');
    expect(stream.events[1]?.event).toBe('action');
  });

  it('sends a heartbeat comment on an idle stream', async () => {
    const stream = await openSse(`${urlB}/v1/stream/default`, { authorization: `Bearer ${key}` });
    await new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error('no heartbeat within 10 s')), 10_000);
      const poll = setInterval(() => {
        if (!stream.comments.includes('heartbeat')) return;
        clearInterval(poll);
        clearTimeout(deadline);
        resolve();
      }, 50);
    });
    stream.close();
  });

  it('holds at most STREAM_MAX_PER_KEY streams per key across replicas (429 beyond)', async () => {
    const held = [
      await openSse(`${urlA}/v1/stream/default`, { authorization: `Bearer ${boundKey}` }),
      await openSse(`${urlB}/v1/stream/default`, { authorization: `Bearer ${boundKey}` }),
      await openSse(`${urlA}/v1/stream/default`, { authorization: `Bearer ${boundKey}` }),
    ];
    expect(held.map((stream) => stream.status)).toEqual([200, 200, 200]);
    const refused = await fetch(`${urlB}/v1/stream/default`, {
      headers: { authorization: `Bearer ${boundKey}` },
    });
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: string }).error).toBe('too_many_streams');
    held[0]?.close();
    await held[0]?.ended;
    // The lease goes when the connection closes.
    const deadline = Date.now() + 10_000;
    let again: Awaited<ReturnType<typeof openSse>> | undefined;
    while (Date.now() < deadline) {
      again = await openSse(`${urlB}/v1/stream/default`, { authorization: `Bearer ${boundKey}` });
      if (again.status === 200) break;
      again.close();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(again?.status).toBe(200);
    for (const stream of [...held, again]) stream?.close();
  });

  it('cuts off a client that does not read, with a closing event, instead of buffering the flood', async () => {
    const socket = connect(Number(new URL(urlB).port), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      `GET /v1/stream/default HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${key}\r\nAccept: text/event-stream\r\n\r\n`,
    );
    // The client never reads: the kernel's buffers fill, then the server's.
    socket.pause();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const user = { productId: 'default', userId: `flood-${Date.now()}` };
    const long = 'x'.repeat(1800);
    const rounds = 400;
    for (let round = 0; round < rounds; round += 1) {
      const actions = Array.from({ length: 50 }, (_, index) => ({
        at: new Date().toISOString(),
        type: 'custom' as const,
        description: `Flood ${round}-${index} ${long}`,
      }));
      await replicaA.composed.deps.activity.append(user, actions);
    }
    const pumpedBytes = rounds * 50 * 1900;
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Now read what the server kept for us: it ends well short of the flood, and the socket closes.
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received += chunk;
    });
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.resume();
    await Promise.race([
      closed,
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error('the server never cut the stream off')), 30_000),
      ),
    ]);
    expect(received.length).toBeLessThan(pumpedBytes / 2);
    expect(received).toContain('event: closing');
    expect(received).toContain('"reason":"too_slow"');
  }, 90_000);

  it('ends open streams with a closing event on shutdown', async () => {
    const replicaC = await startTestApi(env);
    const urlC = await listen(replicaC);
    const stream = await openSse(`${urlC}/v1/stream/default`, { authorization: `Bearer ${key}` });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closing = replicaC.app.close();
    await stream.ended;
    await closing;
    await replicaC.composed.close();
    const last = stream.events.at(-1);
    expect(last?.event).toBe('closing');
    expect(JSON.parse(last?.data ?? '{}').reason).toBe('shutting_down');
  });
});
