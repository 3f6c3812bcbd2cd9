import { describe, expect, it } from 'vitest';
import {
  byEventTime,
  earlierMarker,
  newestByEventTime,
  planNoteLines,
  prechatCursor,
  recentReadWindow,
} from './event-time-order.js';

/** An action as read from the stream: `id` in arrival order, `at` its event time. */
function stored(id: string, at: string) {
  return { id, at };
}

const ids = (items: { id: string }[]) => items.map((item) => item.id);

describe('byEventTime', () => {
  it('orders by event time, not arrival: three requests that arrived newest first', () => {
    // Each request held two clicks in order; the requests arrived 3, 2, 1.
    const arrived = [
      stored('step-5', '2026-12-02T10:00:05.000Z'),
      stored('step-6', '2026-12-02T10:00:06.000Z'),
      stored('step-3', '2026-12-02T10:00:03.000Z'),
      stored('step-4', '2026-12-02T10:00:04.000Z'),
      stored('step-1', '2026-12-02T10:00:01.000Z'),
      stored('step-2', '2026-12-02T10:00:02.000Z'),
    ];
    expect(ids(byEventTime(arrived))).toEqual(['step-1', 'step-2', 'step-3', 'step-4', 'step-5', 'step-6']);
  });

  it('equal event times keep arrival order', () => {
    const same = '2026-12-02T10:00:00.000Z';
    const arrived = [stored('b', same), stored('a', '2026-12-02T09:59:59.000Z'), stored('c', same)];
    expect(ids(byEventTime(arrived))).toEqual(['a', 'b', 'c']);
  });

  it('a future time capture clamped to its arrival sorts at that time, not where the client put it', () => {
    // The client said 2030; capture reset it to when the request came (10:00:07).
    const arrived = [
      stored('clamped', '2026-12-02T10:00:07.000Z'),
      stored('later-real', '2026-12-02T10:00:08.000Z'),
      stored('earlier-real', '2026-12-02T10:00:06.000Z'),
    ];
    expect(ids(byEventTime(arrived))).toEqual(['earlier-real', 'clamped', 'later-real']);
  });

  it('an unreadable time counts as the oldest instead of breaking the order', () => {
    const arrived = [
      stored('x', '2026-12-02T10:00:01.000Z'),
      stored('bad', ''),
      stored('y', '2026-12-02T10:00:00.000Z'),
    ];
    expect(ids(byEventTime(arrived))).toEqual(['bad', 'y', 'x']);
  });

  it('leaves its input as it was', () => {
    const arrived = [stored('2', '2026-12-02T10:00:02.000Z'), stored('1', '2026-12-02T10:00:01.000Z')];
    byEventTime(arrived);
    expect(ids(arrived)).toEqual(['2', '1']);
  });
});

describe('newestByEventTime', () => {
  it('limit means the most recent by event time, oldest first', () => {
    const arrived = [
      stored('t3', '2026-12-02T10:00:03.000Z'),
      stored('t4', '2026-12-02T10:00:04.000Z'),
      // A late request: older actions arriving last.
      stored('t1', '2026-12-02T10:00:01.000Z'),
      stored('t2', '2026-12-02T10:00:02.000Z'),
    ];
    expect(ids(newestByEventTime(arrived, 2))).toEqual(['t3', 't4']);
    expect(ids(newestByEventTime(arrived, 10))).toEqual(['t1', 't2', 't3', 't4']);
    expect(newestByEventTime(arrived, 0)).toEqual([]);
  });

  it('reads the limit of recent arrivals and 100 more', () => {
    expect(recentReadWindow(2)).toBe(102);
    expect(recentReadWindow(50)).toBe(150);
    expect(recentReadWindow(200)).toBe(300);
  });
});

describe('planNoteLines', () => {
  it('numbers in event-time order from the next number and says how far the writing got', () => {
    const batch = [stored('b', '2026-12-02T10:00:02.000Z'), stored('a', '2026-12-02T10:00:01.000Z')];
    const planned = planNoteLines(batch, 7, null);
    expect(planned.lines.map((line) => [line.number, line.action.id, line.isEarlier])).toEqual([
      [7, 'a', false],
      [8, 'b', false],
    ]);
    expect(planned.writtenThrough).toBe('2026-12-02T10:00:02.000Z');
  });

  it('a late action (older than what earlier notes carried) keeps its turn and is marked', () => {
    const batch = [stored('new', '2026-12-02T10:02:30.000Z'), stored('late', '2026-12-02T10:02:11.000Z')];
    const planned = planNoteLines(batch, 14, '2026-12-02T10:02:20.000Z');
    expect(planned.lines.map((line) => [line.number, line.action.id, line.isEarlier])).toEqual([
      [14, 'late', true],
      [15, 'new', false],
    ]);
    expect(planned.writtenThrough).toBe('2026-12-02T10:02:30.000Z');
  });

  it('a note of only late actions leaves the written-through time where it was; numbers still go on', () => {
    const batch = [stored('late', '2026-12-02T10:00:01.000Z')];
    const planned = planNoteLines(batch, 3, '2026-12-02T10:00:09.000Z');
    expect(planned.lines).toEqual([{ number: 3, action: batch[0], isEarlier: true }]);
    expect(planned.writtenThrough).toBe('2026-12-02T10:00:09.000Z');
  });

  it('an action at exactly the written-through time is not late (a tie keeps arrival order)', () => {
    const planned = planNoteLines([stored('tie', '2026-12-02T10:00:09.000Z')], 2, '2026-12-02T10:00:09.000Z');
    expect(planned.lines[0]?.isEarlier).toBe(false);
  });

  it('an unreadable written-through time marks nothing', () => {
    const planned = planNoteLines([stored('a', '2026-12-02T10:00:01.000Z')], 1, 'garbage');
    expect(planned.lines[0]?.isEarlier).toBe(false);
    expect(planned.writtenThrough).toBe('2026-12-02T10:00:01.000Z');
  });
});

describe('earlierMarker', () => {
  it('says the UTC time of day it happened', () => {
    expect(earlierMarker('2026-12-02T10:02:11.532Z')).toBe('(earlier, 10:02:11)');
    expect(earlierMarker('2026-12-02T10:02:11.532Z', '2026-12-02T23:59:00.000Z')).toBe('(earlier, 10:02:11)');
    expect(earlierMarker('not a time')).toBe('(earlier, unknown time)');
  });

  it('says the date too when it happened on another day than what was written before it', () => {
    expect(earlierMarker('2026-12-01T10:02:11.000Z', '2026-12-02T08:00:00.000Z')).toBe(
      '(earlier, 2026-12-01 10:02:11)',
    );
  });
});

describe('prechatCursor', () => {
  const opened = Date.parse('2026-12-02T10:00:10.000Z');

  it('everything before the opening fits: start from the oldest kept', () => {
    const recent = [stored('2', '2026-12-02T10:00:02.000Z'), stored('1', '2026-12-02T10:00:01.000Z')];
    expect(prechatCursor(recent, opened, 5)).toEqual({ startAfter: null, before: 2 });
  });

  it('starts just before the earliest-arrived of the newest actions by event time', () => {
    const recent = [
      stored('t1', '2026-12-02T10:00:01.000Z'),
      stored('t2', '2026-12-02T10:00:02.000Z'),
      stored('t5', '2026-12-02T10:00:05.000Z'),
      stored('t6', '2026-12-02T10:00:06.000Z'),
      // Arrived late, but among the newest three by event time.
      stored('t4', '2026-12-02T10:00:04.000Z'),
      stored('live', '2026-12-02T10:00:20.000Z'),
    ];
    expect(prechatCursor(recent, opened, 3)).toEqual({ startAfter: 't2', before: 5 });
  });

  it('a count of 0 starts after the last-arrived action before the opening', () => {
    const recent = [
      stored('t1', '2026-12-02T10:00:01.000Z'),
      stored('t2', '2026-12-02T10:00:02.000Z'),
      stored('live', '2026-12-02T10:00:20.000Z'),
    ];
    expect(prechatCursor(recent, opened, 0)).toEqual({ startAfter: 't2', before: 2 });
  });
});
