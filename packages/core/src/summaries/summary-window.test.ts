import { describe, expect, it } from 'vitest';
import type { WrittenNote } from '../ports/delivery-store.js';
import type { SummaryRecord } from '../ports/summary-store.js';
import { nextSummaryWindow } from './summary-window.js';

function notes(count: number, perNote = 5, start = 1): WrittenNote[] {
  return Array.from({ length: count }, (_, index) => ({
    partId: `p${start + index * perNote}`,
    reference: `r${index}`,
    firstNumber: start + index * perNote,
    lastNumber: start + index * perNote + perNote - 1,
    postedAt: '2026-01-01T00:00:00.000Z',
  }));
}

describe('nextSummaryWindow', () => {
  it('is not due below SUMMARIZE_AFTER_NOTES raw notes', () => {
    expect(nextSummaryWindow(notes(7), null, 8)).toBeNull();
  });

  it('covers every raw note but the newest two once due', () => {
    const window = nextSummaryWindow(notes(8), null, 8);
    expect(window?.notes.map((note) => note.partId)).toEqual(['p1', 'p6', 'p11', 'p16', 'p21', 'p26']);
    expect(window).toMatchObject({ previous: null, firstNumber: 1, lastNumber: 30 });
  });

  it('rolls up the current summary with the raw notes after it', () => {
    const current: SummaryRecord = {
      partId: 's1',
      reference: 'tl-c-summary-1-30',
      firstNumber: 1,
      lastNumber: 30,
      writer: 'extractive',
      postedAt: '2026-01-01T00:00:00.000Z',
      lines: [],
    };
    const all = notes(14);
    expect(nextSummaryWindow(all.slice(0, 13), current, 8)).toBeNull();
    const window = nextSummaryWindow(all, current, 8);
    expect(window?.previous?.partId).toBe('s1');
    expect(window?.notes.map((note) => note.firstNumber)).toEqual([31, 36, 41, 46, 51, 56]);
    expect(window).toMatchObject({ firstNumber: 1, lastNumber: 60 });
  });

  it('leaves at least one raw note to cover with a low threshold', () => {
    expect(nextSummaryWindow(notes(2), null, 2)?.notes.map((note) => note.partId)).toEqual(['p1']);
  });
});
