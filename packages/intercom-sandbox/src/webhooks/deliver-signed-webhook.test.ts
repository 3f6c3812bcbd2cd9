import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createIntercomSandbox, type IntercomSandbox } from '../create-intercom-sandbox.js';
import { deliverSignedWebhook, intercomSignature } from './deliver-signed-webhook.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../../../../fixtures/intercom/${name}`, import.meta.url));

interface Received {
  headers: IncomingHttpHeaders;
  raw: Buffer;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A tiny receiver that keeps each delivery's raw bytes and answers 200. */
async function receiver(): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, raw: Buffer.concat(chunks) });
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/intercom`, received };
}

function isSignedWith(secret: string, delivery: Received): boolean {
  const expected = Buffer.from(`sha1=${createHmac('sha1', secret).update(delivery.raw).digest('hex')}`);
  const actual = Buffer.from(String(delivery.headers['x-hub-signature']));
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** The shape of a JSON value: object keys (sorted) and value types, recursively. */
function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shapeOf);
  if (value === null) return 'null';
  if (typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, child]) => [key, shapeOf(child)]),
    );
  }
  return typeof value;
}

describe('intercomSignature', () => {
  it('signs the ping fixture to the known answer', () => {
    expect(intercomSignature(fixture('ping.body'), 'test_client_secret')).toBe(
      'sha1=244bbda49dd12ffaa5f9e926b774af8295323aae',
    );
  });
});

describe('deliverSignedWebhook', () => {
  it('POSTs the exact bytes as JSON, signed with the client secret', async () => {
    const { url, received } = await receiver();
    const ping = fixture('ping.body').toString('utf8');
    const result = await deliverSignedWebhook({
      url,
      clientSecret: 'test_client_secret',
      notification: ping,
    });
    expect(result).toEqual({ status: 200, body: 'ok' });
    const [delivery] = received;
    expect(delivery!.raw.toString('utf8')).toBe(ping);
    expect(delivery!.headers['content-type']).toBe('application/json');
    expect(delivery!.headers['x-hub-signature']).toBe('sha1=244bbda49dd12ffaa5f9e926b774af8295323aae');
    expect(isSignedWith('test_client_secret', delivery!)).toBe(true);
    expect(isSignedWith('another_secret', delivery!)).toBe(false);
  });
});

describe('conversation webhooks from the control routes', () => {
  async function sandboxAndReceiver(): Promise<{
    sandbox: IntercomSandbox;
    url: string;
    received: Received[];
  }> {
    const sandbox = await createIntercomSandbox({ token: 't' });
    cleanups.push(() => sandbox.close());
    return { sandbox, ...(await receiver()) };
  }

  it('delivers a signed conversation.user.created shaped like the fixture, with this conversation’s ids', async () => {
    const { sandbox, url, received } = await sandboxAndReceiver();
    const response = await sandbox.app.inject({
      method: 'POST',
      url: '/_sandbox/conversations',
      payload: {
        external_id: 'user_8812',
        email: 'sam@example.com',
        name: 'Sam',
        body: "I can't",
        url: 'https://app.example.com/billing',
        webhook: { url, clientSecret: 's3cret' },
      },
    });
    expect(response.statusCode).toBe(201);
    const { conversation, contact, webhook } = response.json();
    expect(webhook).toMatchObject({ status: 200 });
    expect(isSignedWith('s3cret', received[0]!)).toBe(true);

    const notification = JSON.parse(received[0]!.raw.toString('utf8'));
    const expected = JSON.parse(fixture('conversation.user.created.json').toString('utf8'));
    expect(shapeOf(notification)).toEqual(shapeOf(expected));
    expect(notification).toMatchObject({
      topic: 'conversation.user.created',
      app_id: 'abc12345',
      data: {
        item: {
          id: conversation.id,
          source: { body: '<p>I can&#39;t</p>', author: { id: contact.id } },
          contacts: { contacts: [{ type: 'contact', id: contact.id, external_id: 'user_8812' }] },
          conversation_parts: { conversation_parts: [], total_count: 0 },
        },
      },
    });
    expect(notification.id).toMatch(/^notif_/);
  });

  it('delivers conversation.user.replied with the new user part last, shaped like the fixture', async () => {
    const { sandbox, url, received } = await sandboxAndReceiver();
    const created = await sandbox.app.inject({
      method: 'POST',
      url: '/_sandbox/conversations',
      payload: {
        external_id: 'user_8812',
        email: 'sam@example.com',
        name: 'Sam',
        url: 'https://app.example.com/billing',
      },
    });
    const conversationId = created.json().conversation.id;
    const replied = await sandbox.app.inject({
      method: 'POST',
      url: `/_sandbox/conversations/${conversationId}/user-replies`,
      payload: { body: 'Still failing', webhook: { url, clientSecret: 's3cret' } },
    });
    expect(replied.statusCode).toBe(201);
    const notification = JSON.parse(received[0]!.raw.toString('utf8'));
    const expected = JSON.parse(fixture('conversation.user.replied.json').toString('utf8'));
    // The fixture's admin_assignee_id is set; a fresh sandbox conversation is unassigned.
    expected.data.item.admin_assignee_id = null;
    expect(shapeOf(notification)).toEqual(shapeOf(expected));
    expect(notification.data.item.conversation_parts.conversation_parts[0]).toMatchObject({
      id: replied.json().part.id,
      part_type: 'comment',
      body: '<p>Still failing</p>',
      author: { type: 'user', id: created.json().contact.id },
    });
    expect(sandbox.conversation(conversationId)?.conversation_parts.total_count).toBe(1);
  });

  it('delivers signed closed, snoozed, unsnoozed and opened notifications shaped like the lifecycle fixtures', async () => {
    const { sandbox, url, received } = await sandboxAndReceiver();
    const created = await sandbox.app.inject({
      method: 'POST',
      url: '/_sandbox/conversations',
      payload: {
        external_id: 'user_8812',
        email: 'sam@example.com',
        name: 'Sam',
        url: 'https://app.example.com/billing',
        webhook: { url, clientSecret: 's3cret' },
      },
    });
    const conversationId = created.json().conversation.id;
    const steps = [
      ['closed', 'conversation.admin.closed', 'close'],
      ['open', 'conversation.admin.opened', 'open'],
      ['snoozed', 'conversation.admin.snoozed', 'snoozed'],
      ['open', 'conversation.admin.unsnoozed', 'unsnoozed'],
    ] as const;
    for (const [state, topic, partType] of steps) {
      // No webhook in the request: it goes where the conversation's first one went (as the page's buttons do).
      const response = await sandbox.app.inject({
        method: 'POST',
        url: `/_sandbox/conversations/${conversationId}/state`,
        payload: { state },
      });
      expect(response.statusCode).toBe(201);
      const delivery = received.at(-1)!;
      expect(isSignedWith('s3cret', delivery)).toBe(true);
      const notification = JSON.parse(delivery.raw.toString('utf8'));
      const expected = JSON.parse(fixture(`${topic}.json`).toString('utf8'));
      expected.data.item.admin_assignee_id = null;
      expect(shapeOf(notification), topic).toEqual(shapeOf(expected));
      expect(notification).toMatchObject({
        topic,
        data: { item: { id: conversationId, state: state === 'open' ? 'open' : state } },
      });
      expect(notification.data.item.conversation_parts.conversation_parts[0]).toMatchObject({
        part_type: partType,
        body: null,
        author: { type: 'admin' },
      });
    }
    const deleted = await sandbox.app.inject({
      method: 'DELETE',
      url: `/_sandbox/conversations/${conversationId}`,
    });
    expect(deleted.statusCode).toBe(200);
    const notification = JSON.parse(received.at(-1)!.raw.toString('utf8'));
    const expected = JSON.parse(fixture('conversation.deleted.json').toString('utf8'));
    expect(shapeOf(notification)).toEqual(shapeOf(expected));
    expect(notification.data.item).toEqual({ type: 'conversation', conversation_id: conversationId });
  });

  it('reports a receiver that cannot be reached instead of failing the control request', async () => {
    const { sandbox } = await sandboxAndReceiver();
    const response = await sandbox.app.inject({
      method: 'POST',
      url: '/_sandbox/conversations',
      payload: { external_id: 'u', webhook: { url: 'http://127.0.0.1:1/nowhere', clientSecret: 's' } },
    });
    expect(response.statusCode).toBe(201);
    expect(response.json().webhook.error).toEqual(expect.any(String));
  });
});
