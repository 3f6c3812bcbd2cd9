/**
 * The order every reader shows actions in: by event time (the action's `at`, PostHog's event time as
 * capture computed it), ties in arrival order. Storage keeps arrival order (the stream id, which is
 * also the delivery cursor); these functions turn what was read by arrival into what is shown.
 */

interface Timed {
  at: string;
}

/** Event time in ms; an unreadable `at` counts as the oldest, so it never hides a real action. */
function eventTimeOf(item: Timed): number {
  const time = Date.parse(item.at);
  return Number.isNaN(time) ? Number.NEGATIVE_INFINITY : time;
}

/** Oldest to newest by event time; equal times keep the order given (arrival). Returns a new array. */
export function byEventTime<T extends Timed>(items: readonly T[]): T[] {
  const times = items.map(eventTimeOf);
  // Most reads are already in order (requests rarely overlap): one pass, no sort.
  if (times.every((time, index) => index === 0 || times[index - 1]! <= time)) return items.slice();
  return items
    .map((item, index) => ({ item, index, time: times[index]! }))
    .sort((a, b) => (a.time === b.time ? a.index - b.index : a.time < b.time ? -1 : 1))
    .map(({ item }) => item);
}

/** Late arrivals a read of recent actions looks past (see {@link recentReadWindow}). */
export const lateArrivalSlack = 100;

/**
 * How many of the newest arrivals a read looks at to answer the newest `limit` by event time: the
 * limit and {@link lateArrivalSlack} more. An action is left out only when more than that many actions
 * with earlier event times arrived after it; lateness in real traffic is a few requests (parallel
 * flushes, a retry, a second tab, a mobile queue), not a hundred actions.
 */
export function recentReadWindow(limit: number): number {
  return Math.max(0, limit) + lateArrivalSlack;
}

/** The newest `limit` by event time of what was read (arrival order), oldest first. */
export function newestByEventTime<T extends Timed>(items: readonly T[], limit: number): T[] {
  if (limit <= 0) return [];
  return byEventTime(items).slice(-limit);
}

/** One line of a live note: its number, the action, and whether it is late. */
export interface PlannedLine<T extends Timed> {
  number: number;
  action: T;
  /**
   * It happened before an action an earlier note already carries: shown as
   * `(earlier, HH:MM:SS)`, since the numbers never go back.
   */
  isEarlier: boolean;
}

export interface PlannedNote<T extends Timed> {
  lines: PlannedLine<T>[];
  /** The latest event time written once this note is in (ISO), or null when nothing has a time. */
  writtenThrough: string | null;
}

/**
 * Numbers one note's actions (read by arrival after the cursor) in event-time order from
 * `nextNumber`. An action older than `writtenThrough` (the latest event time an earlier note carried)
 * arrived after the note that should have held it: it keeps its turn in the numbering and is marked.
 */
export function planNoteLines<T extends Timed>(
  batch: readonly T[],
  nextNumber: number,
  writtenThrough: string | null,
): PlannedNote<T> {
  const parsed = writtenThrough === null ? Number.NaN : Date.parse(writtenThrough);
  const through = Number.isNaN(parsed) ? Number.NEGATIVE_INFINITY : parsed;
  const ordered = byEventTime(batch);
  const lines = ordered.map((action, index) => ({
    number: nextNumber + index,
    action,
    isEarlier: eventTimeOf(action) < through,
  }));
  let latest = writtenThrough;
  let latestTime = through;
  for (const action of ordered) {
    const time = eventTimeOf(action);
    if (time > latestTime) {
      latestTime = time;
      latest = action.at;
    }
  }
  return { lines, writtenThrough: latest };
}

/**
 * Where a new link's cursor starts so the first note holds the newest `count` actions by event time
 * among those at or before `openedAtMs`: just before the earliest-arrived of them (null: from the
 * oldest kept). The cursor is an arrival position, so later-arrived older actions after it come too.
 */
export function prechatCursor<T extends Timed & { id: string }>(
  recent: readonly T[],
  openedAtMs: number,
  count: number,
): { startAfter: string | null; before: number } {
  const positions = new Map(recent.map((action, index) => [action, index]));
  const before = recent.filter((action) => eventTimeOf(action) <= openedAtMs);
  if (before.length <= count) return { startAfter: null, before: before.length };
  const wanted = count > 0 ? byEventTime(before).slice(-count) : [];
  const arrival = (items: readonly T[]) => items.map((action) => positions.get(action)!);
  // count 0: just after the last-arrived action at or before the opening.
  const start = wanted.length > 0 ? Math.min(...arrival(wanted)) : Math.max(...arrival(before)) + 1;
  return { startAfter: start > 0 ? recent[start - 1]!.id : null, before: before.length };
}

/**
 * `(earlier, 10:02:11)`: the UTC time of day a late action happened, as a note line shows it; with the
 * date (`(earlier, 2026-12-01 10:02:11)`) when that is another day than `reference` (the latest time
 * written before it), so an offline queue replayed the next day does not read as today.
 */
export function earlierMarker(at: string, reference?: string | null): string {
  const time = Date.parse(at);
  if (Number.isNaN(time)) return '(earlier, unknown time)';
  const iso = new Date(time).toISOString();
  const referenceTime = reference ? Date.parse(reference) : Number.NaN;
  const sameDay =
    Number.isNaN(referenceTime) || new Date(referenceTime).toISOString().slice(0, 10) === iso.slice(0, 10);
  return `(earlier, ${sameDay ? '' : `${iso.slice(0, 10)} `}${iso.slice(11, 19)})`;
}
