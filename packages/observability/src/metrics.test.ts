import { describe, expect, it } from 'vitest';
import {
  apiMetricKeys,
  createApiMetrics,
  createMetrics,
  createWorkerMetrics,
  workerMetricKeys,
} from './metrics.js';

const typeNames = async (registry: { metrics(): Promise<string> }) =>
  [...(await registry.metrics()).matchAll(/^# TYPE (\S+)/gm)].map((match) => match[1]).sort();

describe('createMetrics', () => {
  it('exposes every metric under threadline_ with its labels', async () => {
    const metrics = createMetrics({ labels: { service: 'test' } });
    metrics.webhookDeliveries.inc({ topic: 'conversation.user.created', outcome: 'accepted' });
    metrics.eventsRefused.inc({ reason: 'unknown_api_key' }, 2);
    metrics.eventToNoteSeconds.observe(1.2);
    const text = await metrics.registry.metrics();
    expect(text).toContain(
      'threadline_webhook_deliveries_total{topic="conversation.user.created",outcome="accepted",service="test"} 1',
    );
    expect(text).toContain('threadline_events_refused_total{reason="unknown_api_key",service="test"} 2');
    expect(text).toContain('threadline_event_to_note_seconds_bucket{le="2",service="test"} 1');
    const names = [...text.matchAll(/^# TYPE (\S+)/gm)].map((match) => match[1]);
    expect(names.every((name) => name?.startsWith('threadline_'))).toBe(true);
    expect(names).toEqual(
      expect.arrayContaining([
        'threadline_events_accepted_total',
        'threadline_links_total',
        'threadline_notes_posted_total',
        'threadline_intercom_calls_total',
        'threadline_queue_jobs',
        'threadline_summaries_total',
        'threadline_llm_errors_total',
      ]),
    );
  });

  it('keeps registries apart, so two processes in one test do not share counts', async () => {
    const a = createMetrics();
    const b = createMetrics();
    a.notesPosted.inc({ workspace: 'a' });
    b.notesPosted.inc({ workspace: 'b' });
    expect(await a.registry.getSingleMetricAsString('threadline_notes_posted_total')).not.toContain('"b"');
    expect(await b.registry.getSingleMetricAsString('threadline_notes_posted_total')).not.toContain('"a"');
  });

  it('gives the API and the worker each only their own metrics, and between them every metric', async () => {
    const api = await typeNames(createApiMetrics().registry);
    const worker = await typeNames(createWorkerMetrics().registry);
    expect(api).not.toContain('threadline_notes_posted_total');
    expect(worker).not.toContain('threadline_events_accepted_total');
    expect(api.filter((name) => worker.includes(name))).toEqual([]);
    expect([...api, ...worker].sort()).toEqual(await typeNames(createMetrics().registry));
    expect(new Set([...apiMetricKeys, ...workerMetricKeys]).size).toBe(
      apiMetricKeys.length + workerMetricKeys.length,
    );
  });
});
