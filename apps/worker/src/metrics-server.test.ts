import { freePort } from '@threadline/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageview, startTestWorker, type TestWorker, waitFor } from '../test/test-worker.js';
import { startMetricsServer } from './metrics-server.js';

let harness: TestWorker;
beforeAll(async () => {
  harness = await startTestWorker();
});
afterAll(async () => {
  await harness?.close();
});

describe('worker metrics', () => {
  it('count links, notes, actions, Intercom calls and event→note latency, served over HTTP', async () => {
    const { sandbox } = harness;
    const contact = sandbox.createContact({ external_id: 'user_metrics' });
    const conversation = sandbox.createConversation({ contactId: contact.id });
    await harness.link({
      conversationId: conversation.id,
      conversationCreatedAt: Math.floor(Date.now() / 1000) - 60,
      contact: { contactId: contact.id, externalId: 'user_metrics', email: null },
    });
    await waitFor(async () => ((await harness.composed.deps.links.get(conversation.id)) ? true : undefined));
    await harness.capture('user_metrics', [pageview('/a', new Date()), pageview('/b', new Date())]);
    await waitFor(() => (sandbox.notes(conversation.id).length >= 1 ? true : undefined));

    const port = await freePort();
    const server = await startMetricsServer({
      port,
      host: '127.0.0.1',
      metrics: harness.composed.deps.metrics,
    });
    try {
      const text = await waitFor(async () => {
        const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        return /threadline_actions_posted_total\{workspace="default",service="worker"\} 2/.test(body)
          ? body
          : undefined;
      });
      expect(text).toMatch(
        /threadline_links_total\{outcome="linked",workspace="default",service="worker"\} 1/,
      );
      expect(text).toMatch(/threadline_notes_posted_total\{workspace="default",service="worker"\} 1/);
      expect(text).toMatch(
        /threadline_intercom_calls_total\{operation="addNote",status="200",workspace="default",service="worker"\} 1/,
      );
      expect(text).toMatch(
        /threadline_event_to_note_seconds_count\{service="worker",workspace="default"\} 2/,
      );
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
