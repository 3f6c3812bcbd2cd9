import type { WrittenNote } from '../ports/delivery-store.js';
import type { SummaryRecord } from '../ports/summary-store.js';

/**
 * How many of the newest raw notes stay visible, unsummarized, when a summary is written (fewer when
 * SUMMARIZE_AFTER_NOTES is below 3, so a summary always covers at least one raw note).
 */
export const defaultKeptRawNotes = 2;

/** What the next summary covers. */
export interface SummaryWindow {
  /** Raw notes it covers, oldest first: redacted after it is posted. */
  notes: WrittenNote[];
  /** The summary it rolls up (covered and redacted too), or null for a first summary. */
  previous: SummaryRecord | null;
  firstNumber: number;
  lastNumber: number;
}

/**
 * Due once `afterNotes` raw notes are visible past the current summary: it then covers the current
 * summary's span and every visible raw note but the newest `keptRawNotes`.
 */
export function nextSummaryWindow(
  notes: WrittenNote[],
  current: SummaryRecord | null,
  afterNotes: number,
  keptRawNotes = defaultKeptRawNotes,
): SummaryWindow | null {
  const coveredThrough = current?.lastNumber ?? 0;
  const raw = notes
    .filter((note) => note.firstNumber > coveredThrough)
    .sort((a, b) => a.firstNumber - b.firstNumber);
  if (raw.length < Math.max(1, afterNotes)) return null;
  const kept = Math.max(0, Math.min(keptRawNotes, afterNotes - 1));
  const covered = raw.slice(0, raw.length - kept);
  if (covered.length === 0) return null;
  return {
    notes: covered,
    previous: current,
    firstNumber: current?.firstNumber ?? covered[0]!.firstNumber,
    lastNumber: covered.at(-1)!.lastNumber,
  };
}
