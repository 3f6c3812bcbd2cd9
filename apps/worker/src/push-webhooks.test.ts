import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { Subscription } from '@threadline/core';
import { generateWebhookSecret } from '@threadline/push';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { click, startTestWorker, type TestWorker, waitFor } from '../test/test-worker.js';

interface Receiver {
  url: string;
  /** Every request: its webhook-id and whether it was answered 2xx. */
  attempts: { webhookId: string; accepted: boolean }[];
  /** Batches accepted, verified with standardwebhooks. */
  accepted: {
    webhookId: string;
    payload: { type: string; data: { notice: string; actions: { description: string }[] } };
  }[];
  close(): Promise<void>;
}

/** A push receiver that answers `failFirst` requests with 503 (or every one, with Infinity), then verifies and accepts. */
async function startReceiver(secret: string, failFirst: number): Promise<Receiver> {
  const attempts: Receiver['attempts'] = [];
  const accepted: Receiver['accepted'] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      body += chunk;
    });
    request.on('end', () => {
      const webhookId = String(request.headers['webhook-id']);
      if (attempts.length < failFirst) {
        attempts.push({ webhookId, accepted: false });
        response.writeHead(503).end('down');
        return;
      }
      // Throws on a bad signature or a stale timestamp: the test then fails on the missing batch.
      const payload = new Webhook(secret).verify(
        body,
        request.headers as IncomingHttpHeaders as Record<string, string>,
      );
      attempts.push({ webhookId, accepted: true });
      // A receiver dedupes on webhook-id; the test counts what it would have processed twice.
      accepted.push({ webhookId, payload: payload as Receiver['accepted'][number]['payload'] });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return {
    url: `http://127.0.0.1:${address.port}/hooks/threadline`,
    attempts,
    accepted,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function subscribe(harness: TestWorker, url: string, secret: string): Promise<Subscription> {
  const { subscriptions, productFeed } = harness.composed.deps;
  const subscription: Subscription = {
    id: `sub_${Math.random().toString(16).slice(2, 10)}`,
    productId: harness.config.productId,
    url,
    secret,
    createdAt: new Date().toISOString(),
    disabled: null,
  };
  await subscriptions.add(subscription, await productFeed.latestId(harness.config.productId));
  return subscription;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('push webhooks', () => {
  it('a receiver that fails five times then recovers gets every batch once, verified, with a stable webhook-id', async () => {
    const harness = await startTestWorker({
      SUBSCRIPTIONS_ALLOW_PRIVATE: 'true',
      PUSH_BATCH_MAX_ACTIONS: '5',
      PUSH_BATCH_MAX_WAIT_MS: '100',
      PUSH_RETRY_BASE_MS: '50',
      PUSH_RETRY_FOR_MS: '600000',
    });
    cleanups.push(() => harness.close());
    const secret = generateWebhookSecret();
    const receiver = await startReceiver(secret, 5);
    cleanups.push(() => receiver.close());
    await subscribe(harness, receiver.url, secret);
    const labels = Array.from({ length: 12 }, (_, index) => `Step ${index}`);
    await harness.capture(
      'user_push',
      labels.map((label) => click('/billing', label, new Date())),
    );
    const delivered = await waitFor(() => {
      const descriptions = receiver.accepted.flatMap((batch) =>
        batch.payload.data.actions.map((a) => a.description),
      );
      return descriptions.length >= 12 ? descriptions : undefined;
    }, 60_000);
    // Nothing arrives late or twice.
    await new Promise((resolve) => setTimeout(resolve, 500));
    // Each action exactly once; batches are independent jobs, so a retried one may land after a later one.
    expect([...delivered].sort()).toEqual(
      labels.map((label) => `Clicked "${label}" button on /billing`).sort(),
    );
    const acceptedIds = receiver.accepted.map((batch) => batch.webhookId);
    expect(new Set(acceptedIds).size).toBe(acceptedIds.length);
    for (const batch of receiver.accepted) {
      expect(batch.payload.type).toBe('activity.actions');
      expect(batch.payload.data.notice).toMatch(/^Recorded user activity, not instructions/);
      expect(batch.payload.data.actions.length).toBeLessThanOrEqual(5);
    }
    // The five refused attempts were retries of batches later accepted under the same webhook-id.
    const refused = receiver.attempts.filter((attempt) => !attempt.accepted);
    expect(refused).toHaveLength(5);
    for (const attempt of refused) expect(acceptedIds).toContain(attempt.webhookId);
  }, 90_000);

  it('disables a subscription whose receiver stays down past PUSH_RETRY_FOR_MS, with the reason', async () => {
    const harness = await startTestWorker({
      SUBSCRIPTIONS_ALLOW_PRIVATE: 'true',
      PUSH_BATCH_MAX_WAIT_MS: '50',
      PUSH_RETRY_BASE_MS: '100',
      PUSH_RETRY_FOR_MS: '1500',
    });
    cleanups.push(() => harness.close());
    const secret = generateWebhookSecret();
    const receiver = await startReceiver(secret, Number.POSITIVE_INFINITY);
    cleanups.push(() => receiver.close());
    const subscription = await subscribe(harness, receiver.url, secret);
    await harness.capture('user_down', [click('/billing', 'Pay', new Date())]);
    const disabled = await waitFor(async () => {
      const current = await harness.composed.deps.subscriptions.get(subscription.id);
      return current?.disabled ?? undefined;
    }, 60_000);
    expect(disabled.reason).toMatch(/^deliveries failed for \d+ min; last: the receiver answered 503$/);
    expect(receiver.attempts.length).toBeGreaterThan(1);
    expect(new Set(receiver.attempts.map((attempt) => attempt.webhookId)).size).toBe(1);
    // Nothing is sent to a disabled subscription.
    const before = receiver.attempts.length;
    await harness.capture('user_down', [click('/billing', 'Pay again', new Date())]);
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(receiver.attempts.length).toBe(before);
  }, 90_000);

  it('refuses, at delivery, a private address when private targets are not allowed', async () => {
    const harness = await startTestWorker({
      PUSH_BATCH_MAX_WAIT_MS: '50',
      PUSH_RETRY_BASE_MS: '100',
      PUSH_RETRY_FOR_MS: '1000',
    });
    cleanups.push(() => harness.close());
    const secret = generateWebhookSecret();
    const receiver = await startReceiver(secret, 0);
    cleanups.push(() => receiver.close());
    // Stored behind the CLI's check (as if it had been public when added): delivery checks again.
    const subscription = await subscribe(harness, receiver.url, secret);
    await harness.capture('user_private', [click('/billing', 'Pay', new Date())]);
    const disabled = await waitFor(async () => {
      const current = await harness.composed.deps.subscriptions.get(subscription.id);
      return current?.disabled ?? undefined;
    }, 60_000);
    expect(disabled.reason).toContain('target refused');
    expect(receiver.attempts).toHaveLength(0);
  }, 90_000);
});
