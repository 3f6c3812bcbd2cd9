import { describe, expect, it } from 'vitest';
import type { Action } from './action.js';
import { collapseRepeats } from './collapse-repeats.js';
import { formatAction } from './format-action.js';

const retry = (at: string): Action => ({
  at,
  type: 'click',
  description: 'Clicked "Retry" button on /billing',
  page: '/billing',
});

describe('collapseRepeats and formatAction', () => {
  it('merges consecutive identical actions, keeping the first time', () => {
    const actions = [retry('t1'), retry('t2'), retry('t3'), retry('t4')];
    const collapsed = collapseRepeats(actions);
    expect(collapsed).toEqual([{ ...retry('t1'), repeat: 4 }]);
    expect(formatAction(collapsed[0] as Action)).toBe('Clicked "Retry" button on /billing ×4');
    expect(actions[0]?.repeat).toBeUndefined();
  });

  it('keeps actions apart when type, description or page differ or something comes between', () => {
    const other: Action = {
      at: 't2',
      type: 'rageclick',
      description: 'Clicked "Retry" button on /billing',
      page: '/billing',
    };
    const elsewhere: Action = { ...retry('t4'), page: '/billing/invoices' };
    expect(collapseRepeats([retry('t1'), other, retry('t3'), elsewhere])).toHaveLength(4);
  });

  it('adds up repeats that were already collapsed', () => {
    expect(
      collapseRepeats([
        { ...retry('t1'), repeat: 2 },
        { ...retry('t2'), repeat: 3 },
      ])[0]?.repeat,
    ).toBe(5);
  });

  it('formats a single action without a suffix', () => {
    expect(formatAction(retry('t1'))).toBe('Clicked "Retry" button on /billing');
  });
});
