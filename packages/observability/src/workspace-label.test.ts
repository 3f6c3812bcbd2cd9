import { describe, expect, it } from 'vitest';
import { createMetrics } from './metrics.js';
import { otherWorkspaceLabel, WorkspaceLabel } from './workspace-label.js';

describe('the workspace label', () => {
  it('names the first workspaces up to the cap, then calls every later one other', () => {
    const label = new WorkspaceLabel(2);
    expect(label.of('a')).toBe('a');
    expect(label.of('b')).toBe('b');
    expect(label.of('c')).toBe(otherWorkspaceLabel);
    expect(label.of('a')).toBe('a');
    expect(label.of('d')).toBe(otherWorkspaceLabel);
  });

  it('keeps the series of a metric bounded however many workspaces count', async () => {
    const metrics = createMetrics();
    const label = new WorkspaceLabel(3);
    for (let product = 0; product < 1000; product += 1)
      metrics.notesPosted.inc({ workspace: label.of(`product-${product}`) });
    const text = await metrics.registry.getSingleMetricAsString('threadline_notes_posted_total');
    const series = text.split('\n').filter((line) => line.startsWith('threadline_notes_posted_total{'));
    expect(series).toHaveLength(4);
    expect(text).toContain('threadline_notes_posted_total{workspace="other"} 997');
  });
});
