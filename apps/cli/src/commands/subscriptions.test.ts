import { createServer, type Server } from 'node:http';
import { RedisSubscriptionStore } from '@threadline/redis-store';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliHarness, createHarness } from '../../test/cli-harness.js';
import type { SubscriptionListing } from './subscriptions.js';

const allowPrivate = { SUBSCRIPTIONS_ALLOW_PRIVATE: 'true' };
let harness: CliHarness;
let receiver: Server;
let receiverUrl: string;
const received: { headers: Record<string, string>; body: string }[] = [];

beforeAll(async () => {
  harness = await createHarness('cli-subs');
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => {
      received.push({ headers: request.headers as Record<string, string>, body });
      response.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const address = receiver.address();
  receiverUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/hook`;
});
afterAll(async () => {
  await new Promise((resolve) => receiver.close(resolve));
  await harness.close();
});

describe('threadline subscriptions', () => {
  it('refuses private, loopback and link-local targets, by literal or by what the name resolves to', async () => {
    for (const url of [
      'https://10.0.0.7/hook',
      'https://127.0.0.1/hook',
      'https://169.254.169.254/latest/meta-data',
      'https://[::1]/hook',
      'https://[::ffff:192.168.1.1]/hook',
      'https://localhost/hook',
    ]) {
      const result = await harness.run(['subscriptions', 'add', 'shop', url]);
      expect(result.code, url).not.toBe(0);
      expect(result.stderr, url).toMatch(/private, loopback, link-local or reserved address/);
    }
    const plain = await harness.run(['subscriptions', 'add', 'shop', 'http://example.com/hook']);
    expect(plain.code).not.toBe(0);
    expect(plain.stderr).toContain('only https URLs are allowed');
    const listed = await harness.run(['subscriptions', 'list', '--json']);
    expect(JSON.parse(listed.stdout)).toEqual([]);
  });

  it('adds (secret shown once), lists without the secret, tests with a signed event, removes', async () => {
    const added = await harness.run(['subscriptions', 'add', 'shop', receiverUrl], allowPrivate);
    expect(added.code, added.stderr).toBe(0);
    const secret = added.stdout.match(/whsec_[A-Za-z0-9+/=]+/)?.[0] ?? '';
    const id = added.stdout.match(/sub_[0-9a-f]+/)?.[0] ?? '';
    expect(secret).not.toBe('');
    const listed = await harness.run(['subscriptions', 'list', '--json'], allowPrivate);
    const subscriptions = JSON.parse(listed.stdout) as SubscriptionListing[];
    expect(subscriptions).toEqual([
      { id, productId: 'shop', url: receiverUrl, createdAt: expect.any(String), disabled: null },
    ]);
    expect(listed.stdout).not.toContain('whsec_');
    const tested = await harness.run(['subscriptions', 'test', id], allowPrivate);
    expect(tested.code, tested.stderr).toBe(0);
    expect(tested.stdout).toContain('answered 200');
    const [delivery] = received;
    const payload = new Webhook(secret).verify(delivery?.body ?? '', delivery?.headers ?? {}) as {
      type: string;
    };
    expect(payload.type).toBe('threadline.test');
    const removed = await harness.run(['subscriptions', 'remove', id], allowPrivate);
    expect(removed.code).toBe(0);
    const after = await harness.run(['subscriptions', 'list'], allowPrivate);
    expect(after.stdout).toContain('No push subscriptions');
    const again = await harness.run(['subscriptions', 'remove', id], allowPrivate);
    expect(again.code).not.toBe(0);
  });

  it('shows a disabled subscription with its reason in list', async () => {
    const added = await harness.run(['subscriptions', 'add', 'shop', receiverUrl, '--json'], allowPrivate);
    const { id } = JSON.parse(added.stdout) as { id: string };
    await new RedisSubscriptionStore(harness.redis, harness.keys).disable(
      id,
      'deliveries failed for 1440 min; last: the receiver answered 503',
      '2026-12-02T01:00:00.000Z',
    );
    const listed = await harness.run(['subscriptions', 'list'], allowPrivate);
    expect(listed.stdout).toContain('disabled 2026-12-02T01:00:00.000Z: deliveries failed for 1440 min');
  });
});
