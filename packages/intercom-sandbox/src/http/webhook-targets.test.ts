import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createIntercomSandbox, type IntercomSandbox } from '../create-intercom-sandbox.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function receiver(): Promise<{ url: string; hits: () => number }> {
  let hits = 0;
  const server: Server = createServer((_request, response) => {
    hits += 1;
    response.writeHead(200).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/intercom`,
    hits: () => hits,
  };
}

async function sandboxWith(webhookUrls?: string[]): Promise<IntercomSandbox> {
  const sandbox = await createIntercomSandbox({ token: 't', ...(webhookUrls ? { webhookUrls } : {}) });
  cleanups.push(() => sandbox.close());
  return sandbox;
}

const open = (sandbox: IntercomSandbox, url: string) =>
  sandbox.app.inject({
    method: 'POST',
    url: '/_sandbox/conversations',
    payload: { external_id: 'u1', body: 'hi', webhook: { url, clientSecret: 's3cret' } },
  });

describe('where the control routes send signed webhooks', () => {
  it('by default, only to this machine: no other host, no metadata service, no other scheme', async () => {
    const sandbox = await sandboxWith();
    for (const url of [
      'http://169.254.169.254/latest/meta-data/',
      'https://example.com/webhooks/intercom',
      'http://10.0.0.5:8080/webhooks/intercom',
      'http://127.0.0.1.evil.example/x',
      'file:///etc/passwd',
      'http://user:pass@127.0.0.1/x',
      'not a url',
    ]) {
      const response = await open(sandbox, url);
      expect(response.statusCode, url).toBe(400);
      expect(response.json().error).toContain('is not allowed');
    }
    // A refused request created nothing.
    const list = await sandbox.app.inject({ method: 'GET', url: '/_sandbox/conversations' });
    expect(list.json().conversations).toEqual([]);
    const target = await receiver();
    expect((await open(sandbox, target.url)).statusCode).toBe(201);
    expect(target.hits()).toBe(1);
  });

  it('with SANDBOX_WEBHOOK_URL, only to that URL, for new conversations and replies', async () => {
    const target = await receiver();
    const other = await receiver();
    const sandbox = await sandboxWith([target.url]);
    expect((await open(sandbox, other.url)).statusCode).toBe(400);
    const created = await open(sandbox, target.url);
    expect(created.statusCode).toBe(201);
    const id = created.json().conversation.id;
    const reply = (url: string) =>
      sandbox.app.inject({
        method: 'POST',
        url: `/_sandbox/conversations/${id}/user-replies`,
        payload: { body: 'more', webhook: { url, clientSecret: 's3cret' } },
      });
    expect((await reply(other.url)).statusCode).toBe(400);
    expect((await reply(target.url)).statusCode).toBe(201);
    expect([target.hits(), other.hits()]).toEqual([2, 0]);
  });
});
