import { describe, expect, it } from 'vitest';
import { renderCanvas } from '../page/render-canvas.js';
import { canvasResponseProblems } from './canvas-kit-schema.js';

const canvas = (components: unknown[]) => ({ canvas: { content: { components } } });

describe('canvasResponseProblems', () => {
  it('accepts the documented components', () => {
    expect(
      canvasResponseProblems(
        canvas([
          { type: 'text', text: 'Hello', style: 'header' },
          { type: 'data-table', items: [{ type: 'field-value', field: 'Plan', value: 'Pro' }] },
          { type: 'divider' },
          { type: 'spacer', size: 's' },
          { type: 'list', items: [{ type: 'item', id: 'a', title: 'A' }] },
          { type: 'button', id: 'go', label: 'Go', action: { type: 'submit' } },
        ]),
      ),
    ).toEqual([]);
  });

  it('refuses an undocumented component, an undocumented field and a missing required one', () => {
    expect(canvasResponseProblems(canvas([{ type: 'markdown', text: 'x' }]))).not.toEqual([]);
    expect(canvasResponseProblems(canvas([{ type: 'text', text: 'x', color: 'red' }]))).not.toEqual([]);
    expect(
      canvasResponseProblems(canvas([{ type: 'button', label: 'Go', action: { type: 'submit' } }])),
    ).not.toEqual([]);
    expect(canvasResponseProblems({ content: { components: [] } })).not.toEqual([]);
  });
});

describe('renderCanvas', () => {
  it('escapes every value and turns buttons into submit requests through the sandbox', () => {
    const html = renderCanvas('42', {
      response: canvas([
        {
          type: 'data-table',
          items: [{ type: 'field-value', field: '10:00', value: '<img src=x onerror=alert(1)>' }],
        },
        { type: 'button', id: 'threadline-refresh', label: 'Refresh', action: { type: 'submit' } },
      ]),
      problems: [],
    });
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('action="/_sandbox/conversations/42/canvas/submit"');
  });
});
