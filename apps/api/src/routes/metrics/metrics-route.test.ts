import { noteShardOf } from '@threadline/jobs';
import { apiMetricKeys, createMetrics, workerMetricKeys } from '@threadline/observability';
import { conversationNotification, intercomSignature } from '@threadline/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../../test/test-api.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api.close();
});

describe('GET /metrics', () => {
  it('counts capture events accepted and refused by reason', async () => {
    const capture = (apiKey: string, body?: string) =>
      api.app.inject({
        method: 'POST',
        url: '/batch/',
        headers: { 'content-type': 'application/json' },
        payload:
          body ??
          JSON.stringify({
            api_key: apiKey,
            batch: [
              { event: '$pageview', distinct_id: 'm1', properties: { $pathname: '/a' } },
              { event: '$pageview', properties: { $pathname: '/no-user' } },
            ],
          }),
      });
    expect((await capture('phc_test_key')).statusCode).toBe(200);
    expect((await capture('phc_wrong')).statusCode).toBe(401);
    expect((await capture('phc_test_key', '{"api_key":')).statusCode).toBe(400);
    const text = (await api.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(text).toMatch(/threadline_events_accepted_total\{service="api"\} 1/);
    expect(text).toMatch(/threadline_events_refused_total\{reason="skipped",service="api"\} 1/);
    expect(text).toMatch(/threadline_events_refused_total\{reason="unknown_api_key",service="api"\} 1/);
    expect(text).toMatch(/threadline_events_refused_total\{reason="malformed",service="api"\} 1/);
  });

  it('counts webhook deliveries by topic and outcome, and reports queue depths', async () => {
    const body = JSON.stringify(
      conversationNotification({ notificationId: 'notif-metrics', conversationId: 'c-m', externalId: 'u' }),
    );
    for (let attempt = 0; attempt < 2; attempt += 1) {
      await api.app.inject({
        method: 'POST',
        url: '/webhooks/intercom',
        headers: {
          'content-type': 'application/json',
          'x-hub-signature': intercomSignature(body, 'test_client_secret'),
        },
        payload: body,
      });
    }
    await api.app.inject({
      method: 'POST',
      url: '/webhooks/intercom',
      headers: { 'content-type': 'application/json' },
      payload: body,
    });

    const response = await api.app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/plain');
    const text = response.body;
    expect(text).toMatch(
      /threadline_webhook_deliveries_total\{topic="conversation.user.created",outcome="accepted",workspace="default",service="api"\} 1/,
    );
    expect(text).toMatch(
      /threadline_webhook_deliveries_total\{topic="conversation.user.created",outcome="duplicate",service="api"\} 1/,
    );
    expect(text).toMatch(
      /threadline_webhook_deliveries_total\{topic="unknown",outcome="bad_signature",service="api"\} 1/,
    );
    expect(text).toMatch(/threadline_queue_jobs\{queue="link",state="waiting",service="api"\} 1/);
    expect(text).toContain('threadline_process_resident_memory_bytes');
  });

  it('serves only what the API counts: no worker counter shows as 0, every API counter has counted', async () => {
    const catalogue = createMetrics();
    const nameOf = (key: string) => (catalogue as unknown as Record<string, { name: string }>)[key]?.name;
    const text = (await api.app.inject({ method: 'GET', url: '/metrics' })).body;
    const served = new Set([...text.matchAll(/^# TYPE (\S+)/gm)].map((match) => match[1]));
    for (const key of workerMetricKeys) expect(served.has(nameOf(key)), key).toBe(false);
    // The tests above sent capture events and webhooks: each API counter has a series above 0.
    for (const key of apiMetricKeys) {
      const name = nameOf(key) as string;
      expect(served.has(name), key).toBe(true);
      const samples = [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))];
      const isCounter = name.endsWith('_total');
      if (isCounter)
        expect(
          samples.some((sample) => Number(sample[1]) > 0),
          name,
        ).toBe(true);
      else expect(samples.length, name).toBeGreaterThan(0);
    }
    expect(text).toContain('threadline_note_sending_paused{workspace="default",service="api"} 0');
  });

  it('reports a paused note sending as 1', async () => {
    await api.composed.deps.queues.sendGate.pause({ code: 'unauthorized', message: 'test: token refused' });
    try {
      const text = (await api.app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(text).toContain('threadline_note_sending_paused{workspace="default",service="api"} 1');
    } finally {
      await api.composed.deps.queues.sendGate.resume();
    }
  });
});

describe('GET /metrics with NOTE_QUEUE_SHARDS=3', () => {
  it('reports the depth of every notes shard', async () => {
    const sharded = await startTestApi({ NOTE_QUEUE_SHARDS: '3', NOTE_COALESCE_MS: '0' });
    try {
      const conversationId = 'c-metrics-shard';
      await sharded.composed.deps.deliveries.request(conversationId);
      const text = (await sharded.app.inject({ method: 'GET', url: '/metrics' })).body;
      const shard = noteShardOf(conversationId, 3);
      for (const [index, queue] of ['notes', 'notes-1', 'notes-2'].entries()) {
        expect(text).toContain(
          `threadline_queue_jobs{queue="${queue}",state="waiting",service="api"} ${index === shard ? 1 : 0}`,
        );
      }
    } finally {
      await sharded.close();
    }
  });
});
