import { readFileSync } from 'node:fs';
import { queuePrefix } from '@threadline/jobs';
import {
  conversationNotification,
  intercomFixture,
  intercomSignature,
  lifecycleNotification,
  testRedisUrl,
} from '@threadline/test-helpers';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../../test/test-api.js';

const secret = 'test_client_secret';
let api: TestApi;
let redis: Redis;

/**
 * Every key of this test's prefix (data keys and queue keys), with its value's fingerprint; but the
 * webhook log (`{ops}:webhooks*`), which records every delivery for `doctor --live` by design.
 */
async function snapshot(prefix: string): Promise<string[]> {
  const found: string[] = [];
  for (const pattern of [`${prefix}:*`, `{${prefix}-*`]) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) {
        if (key.includes(':{ops}:webhook')) continue;
        found.push(`${key}=${await redis.type(key)}`);
      }
    } while (cursor !== '0');
  }
  return found.sort();
}

function post(body: string | Buffer, headers: Record<string, string> = {}) {
  return api.app.inject({
    method: 'POST',
    url: '/webhooks/intercom',
    headers: { 'content-type': 'application/json', ...headers },
    payload: body,
  });
}

function created(notificationId: string, conversationId = 'conv-1') {
  return JSON.stringify(
    conversationNotification({ notificationId, conversationId, externalId: 'user_8812' }),
  );
}

beforeAll(async () => {
  api = await startTestApi();
  redis = new Redis(testRedisUrl());
});
afterAll(async () => {
  await api.close();
  redis.disconnect();
});

describe('POST /webhooks/intercom', () => {
  it('accepts the ping fixture with its known signature', async () => {
    const ping = readFileSync(new URL('../../../../../fixtures/intercom/ping.body', import.meta.url));
    const response = await post(ping, { 'x-hub-signature': 'sha1=244bbda49dd12ffaa5f9e926b774af8295323aae' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 'ignored' });
  });

  describe('refuses with 401 and writes nothing', () => {
    const body = () => created('notif-refused');
    const cases: [string, () => { payload: string; headers: Record<string, string> }][] = [
      ['no signature', () => ({ payload: body(), headers: {} })],
      [
        'a signature made with another secret',
        () => ({ payload: body(), headers: { 'x-hub-signature': intercomSignature(body(), 'other') } }),
      ],
      [
        'a tampered body',
        () => ({
          payload: body().replace('user_8812', 'user_9999'),
          headers: { 'x-hub-signature': intercomSignature(body(), secret) },
        }),
      ],
      [
        'a re-serialized body',
        () => ({
          payload: JSON.stringify(JSON.parse(body()), null, 2),
          headers: { 'x-hub-signature': intercomSignature(body(), secret) },
        }),
      ],
      [
        'a truncated signature',
        () => ({
          payload: body(),
          headers: { 'x-hub-signature': intercomSignature(body(), secret).slice(0, 30) },
        }),
      ],
      [
        'a wrong algorithm prefix',
        () => ({
          payload: body(),
          headers: { 'x-hub-signature': intercomSignature(body(), secret).replace('sha1=', 'md5=') },
        }),
      ],
      [
        'a valid sha1 but a wrong sha256 (the stronger one decides)',
        () => ({
          payload: body(),
          headers: {
            'x-hub-signature': intercomSignature(body(), secret),
            'x-hub-signature-256': intercomSignature(body(), 'other', 'sha256'),
          },
        }),
      ],
      ['no signature on a body that is not JSON', () => ({ payload: '{not json', headers: {} })],
    ];
    for (const [name, make] of cases) {
      it(name, async () => {
        const { payload, headers } = make();
        const before = await snapshot(api.config.prefix);
        const response = await post(payload, headers);
        expect(response.statusCode).toBe(401);
        expect(response.json().message).toMatch(/signature/i);
        expect(await snapshot(api.config.prefix)).toEqual(before);
        expect(before.some((key) => key.includes('notif'))).toBe(false);
      });
    }
  });

  it('accepts X-Hub-Signature-256 alone', async () => {
    const body = created('notif-sha256', 'conv-sha256');
    const response = await post(body, { 'x-hub-signature-256': intercomSignature(body, secret, 'sha256') });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 'accepted' });
  });

  it('answers 400 to a signed body that is not JSON, or not a notification', async () => {
    for (const body of ['{not json', JSON.stringify({ hello: 'world' }), '[]']) {
      const response = await post(body, { 'x-hub-signature': intercomSignature(body, secret) });
      expect(response.statusCode).toBe(400);
      expect(response.json().error).toBe('malformed');
    }
  });

  it('answers 413 to an oversized body', async () => {
    const body = JSON.stringify({ padding: 'x'.repeat(2 * 1024 * 1024) });
    const response = await post(body, { 'x-hub-signature': intercomSignature(body, secret) });
    expect(response.statusCode).toBe(413);
  });

  it('ignores topics it does not use', async () => {
    const notification = JSON.parse(intercomFixture('conversation.user.created.json'));
    notification.topic = 'conversation.admin.noted';
    const body = JSON.stringify(notification);
    const response = await post(body, { 'x-hub-signature': intercomSignature(body, secret) });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 'ignored' });
  });

  it('accepts every lifecycle fixture, signed, and queues it with the notification time and its subject', async () => {
    const now = Math.floor(Date.now() / 1000);
    const cases = [
      [
        'conversation.admin.closed',
        {
          conversationId: '215469381234567',
          contact: { contactId: '6762f1571bb69f9f2193bbbb', externalId: 'user_8812' },
        },
      ],
      ['conversation.admin.opened', { conversationId: '215469381234567' }],
      ['conversation.admin.snoozed', { conversationId: '215469381234567' }],
      ['conversation.admin.unsnoozed', { conversationId: '215469381234567' }],
      ['conversation.deleted', { conversationId: '215469381234567', contact: null }],
      [
        'contact.merged',
        {
          conversationId: '',
          contact: {
            contactId: '6762f1571bb69f9f2193cccc',
            externalId: 'user_9930',
            email: 'robin@example.com',
          },
        },
      ],
      [
        'contact.deleted',
        {
          conversationId: '',
          contact: { contactId: '6762f1571bb69f9f2193bbbb', externalId: 'user_8812', email: null },
        },
      ],
    ] as const;
    for (const [topic, expected] of cases) {
      const notificationId = `notif-fixture-${topic}`;
      const body = JSON.stringify(
        lifecycleNotification(topic, { notificationId, notificationCreatedAt: now - 30 }),
      );
      const response = await post(body, { 'x-hub-signature': intercomSignature(body, secret) });
      expect(response.statusCode, topic).toBe(200);
      expect(response.json(), topic).toMatchObject({ status: 'accepted' });
      const job = await redis.hget(
        `${queuePrefix(api.config.prefix, 'link')}:link:link-${notificationId}`,
        'data',
      );
      expect(JSON.parse(job ?? '{}'), topic).toMatchObject({ topic, notificationAt: now - 30, ...expected });
    }
  });

  it('answers 400 to a lifecycle topic whose item is not its subject', async () => {
    const notification = lifecycleNotification('contact.deleted', { notificationId: 'notif-bad-contact' });
    (notification.data as { item: unknown }).item = { type: 'conversation', id: '1' };
    const body = JSON.stringify(notification);
    const response = await post(body, { 'x-hub-signature': intercomSignature(body, secret) });
    expect(response.statusCode).toBe(400);
    expect(response.json().message ?? JSON.stringify(response.json())).toMatch(/contact item/);
  });

  it('ignores, with 200, a signed delivery older than the replay window, and enqueues nothing', async () => {
    const day = 24 * 3600;
    const now = Math.floor(Date.now() / 1000);
    for (const [notificationId, age] of [
      ['notif-old-8d', 8 * day],
      ['notif-old-6d', 6 * day + 60],
    ] as const) {
      const body = JSON.stringify(
        conversationNotification({
          notificationId,
          conversationId: `conv-${notificationId}`,
          externalId: 'user_8812',
          notificationCreatedAt: now - age,
        }),
      );
      const before = await snapshot(api.config.prefix);
      const response = await post(body, { 'x-hub-signature': intercomSignature(body, secret) });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({
        status: 'ignored',
        reason: expect.stringMatching(/replay window/),
      });
      expect(await snapshot(api.config.prefix)).toEqual(before);
    }
    const missing = JSON.parse(created('notif-no-created-at', 'conv-no-created-at'));
    delete missing.created_at;
    const body = JSON.stringify(missing);
    const response = await post(body, { 'x-hub-signature': intercomSignature(body, secret) });
    expect(response.json()).toMatchObject({ status: 'ignored', reason: expect.stringMatching(/created_at/) });
    const fresh = JSON.stringify(
      conversationNotification({
        notificationId: 'notif-5d',
        conversationId: 'conv-5d',
        externalId: 'user_8812',
        notificationCreatedAt: now - 5 * day,
      }),
    );
    const accepted = await post(fresh, { 'x-hub-signature': intercomSignature(fresh, secret) });
    expect(accepted.json()).toMatchObject({ status: 'accepted' });
    const metrics = await api.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '127.0.0.1' });
    expect(metrics.body).toMatch(/threadline_webhook_deliveries_total\{[^}]*outcome="stale"[^}]*\} 3/);
  });

  it('turns 100 replays of one delivery into one link job', async () => {
    const body = created('notif-replayed', 'conv-replayed');
    const headers = { 'x-hub-signature': intercomSignature(body, secret) };
    const statuses: string[] = [];
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const response = await post(body, headers);
      expect(response.statusCode).toBe(200);
      statuses.push(response.json().status);
    }
    expect(statuses.filter((status) => status === 'accepted')).toHaveLength(1);
    expect(statuses.filter((status) => status === 'duplicate')).toHaveLength(99);
    const jobs = await redis.keys(`${queuePrefix(api.config.prefix, 'link')}:link:link-notif-replayed`);
    expect(jobs).toHaveLength(1);
  });
});

describe('POST /webhooks/intercom with INTERCOM_APP_ID', () => {
  let scoped: TestApi;
  beforeAll(async () => {
    scoped = await startTestApi({ INTERCOM_APP_ID: 'ws_ours' });
  });
  afterAll(async () => {
    await scoped.close();
  });
  function postScoped(body: string) {
    return scoped.app.inject({
      method: 'POST',
      url: '/webhooks/intercom',
      headers: { 'content-type': 'application/json', 'x-hub-signature': intercomSignature(body, secret) },
      payload: body,
    });
  }

  it('ignores, with 200 and a counted outcome, a signed notification of another workspace', async () => {
    for (const [notificationId, appId] of [
      ['notif-foreign', 'ws_dev'],
      ['notif-no-app', undefined],
    ] as const) {
      const notification = conversationNotification({
        notificationId,
        conversationId: `conv-${notificationId}`,
        externalId: 'user_8812',
        ...(appId ? { appId } : {}),
      });
      if (!appId) delete notification.app_id;
      const before = await snapshot(scoped.config.prefix);
      const response = await postScoped(JSON.stringify(notification));
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({
        status: 'ignored',
        reason: expect.stringMatching(/INTERCOM_APP_ID/),
      });
      expect(await snapshot(scoped.config.prefix)).toEqual(before);
    }
    const ours = JSON.stringify(
      conversationNotification({
        notificationId: 'notif-ours',
        conversationId: 'conv-ours',
        externalId: 'u',
        appId: 'ws_ours',
      }),
    );
    expect((await postScoped(ours)).json()).toMatchObject({ status: 'accepted' });
    const metrics = await scoped.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '127.0.0.1' });
    expect(metrics.body).toMatch(/threadline_webhook_deliveries_total\{[^}]*outcome="foreign_app"[^}]*\} 2/);
    expect(metrics.body).toMatch(/threadline_webhook_deliveries_total\{[^}]*outcome="accepted"[^}]*\} 1/);
  });

  it('never answers 410, whatever it is sent', async () => {
    const bodies = [
      '',
      '{not json',
      '[]',
      JSON.stringify({ type: 'notification_event', id: null, topic: 'ping', data: { item: {} } }),
      JSON.stringify(
        conversationNotification({ notificationId: 'n-410', conversationId: 'c-410', externalId: 'u' }),
      ),
      JSON.stringify(
        conversationNotification({
          notificationId: 'n-410-old',
          conversationId: 'c-410',
          externalId: 'u',
          appId: 'ws_ours',
          notificationCreatedAt: 1,
        }),
      ),
    ];
    const statuses = new Set<number>();
    for (const body of bodies) {
      statuses.add((await postScoped(body)).statusCode);
      statuses.add((await post(body, { 'x-hub-signature': intercomSignature(body, 'wrong') })).statusCode);
    }
    expect([...statuses].sort()).toEqual([200, 400, 401]);
  });
});

describe('what the webhook edge remembers for doctor --live', () => {
  it('records the ping, verified deliveries with their topic, and bad signatures with a count', async () => {
    const log = api.composed.deps.webhookLog;
    const before = await log.read();
    const ping = readFileSync(new URL('../../../../../fixtures/intercom/ping.body', import.meta.url));
    await post(ping, { 'x-hub-signature': 'sha1=244bbda49dd12ffaa5f9e926b774af8295323aae' });
    const body = created('notif-log-1', 'conv-log-1');
    await post(body, { 'x-hub-signature': intercomSignature(body, 'not-the-secret') });
    const after = await log.read();
    expect(after.lastPingAt).not.toBeNull();
    expect(after.topics.map((entry) => entry.topic)).toContain('ping');
    expect(after.badSignatures).toBe(before.badSignatures + 1);
    expect(after.lastBadSignatureAt).not.toBeNull();
    await post(body, { 'x-hub-signature': intercomSignature(body, secret) });
    expect(await log.read()).toMatchObject({ lastVerifiedTopic: 'conversation.user.created' });
  });

  it('answers the HEAD request Intercom validates the endpoint URL with', async () => {
    const response = await api.app.inject({ method: 'HEAD', url: '/webhooks/intercom' });
    expect(response.statusCode).toBe(200);
  });
});
