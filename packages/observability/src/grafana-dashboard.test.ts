import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createMetrics } from './metrics.js';

interface Panel {
  title: string;
  targets: { expr: string }[];
}

const dashboard = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../../deploy/grafana/threadline.json', import.meta.url)), 'utf8'),
) as { panels: Panel[] };

/** The series names Prometheus has for each metric (a histogram's _bucket, _sum and _count too). */
async function seriesNames(): Promise<Set<string>> {
  const names = new Set<string>();
  for (const metric of await createMetrics().registry.getMetricsAsJSON()) {
    names.add(metric.name);
    if (String(metric.type) === 'histogram')
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${metric.name}${suffix}`);
  }
  return names;
}

describe('deploy/grafana/threadline.json', () => {
  it('uses only metrics Threadline exposes', async () => {
    const known = await seriesNames();
    const used = dashboard.panels.flatMap((panel) =>
      panel.targets.flatMap((target) => [...target.expr.matchAll(/\bthreadline_[a-z_]+/g)].map((m) => m[0])),
    );
    expect(used.length).toBeGreaterThan(10);
    expect(used.filter((name) => !known.has(name))).toEqual([]);
  });

  it('has the panels the runbook names', () => {
    const titles = dashboard.panels.map((panel) => panel.title);
    for (const wanted of [/refusals by reason/, /Webhooks/, /latency/, /429/, /Queue depths/, /paused/]) {
      expect(
        titles.some((title) => wanted.test(title)),
        String(wanted),
      ).toBe(true);
    }
  });
});
