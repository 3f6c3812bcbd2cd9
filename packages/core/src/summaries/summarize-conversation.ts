import type { DeliveryStore } from '../ports/delivery-store.js';
import { IntercomError, type IntercomPort } from '../ports/intercom-port.js';
import type { LinkStore } from '../ports/link-store.js';
import { type Summarizer, SummarizerError, type SummarizerErrorReason } from '../ports/summarizer.js';
import type {
  PendingSummary,
  SummaryLine,
  SummaryRecord,
  SummaryStore,
  SummaryWriterKind,
} from '../ports/summary-store.js';
import { buildSummaryPrompt } from './build-summary-prompt.js';
import { cleanNarrative } from './clean-narrative.js';
import { renderSummaryNote } from './render-summary-note.js';
import { extractiveNarrative, extractSummaryFacts } from './summary-facts.js';
import { condenseLines, readNoteLines } from './summary-lines.js';
import { defaultKeptRawNotes, nextSummaryWindow, type SummaryWindow } from './summary-window.js';

export type SummaryOutcome =
  | { kind: 'done'; summariesPosted: number; partsRedacted: number; writers: SummaryWriterKind[] }
  /**
   * The next window could not be read completely (a note whose lines Threadline has no record of and
   * Intercom no longer shows): nothing was posted or redacted for it.
   */
  | {
      kind: 'incomplete';
      summariesPosted: number;
      firstNumber: number;
      lastNumber: number;
      missingLines: number;
    }
  | { kind: 'busy' }
  | { kind: 'not_linked' }
  | { kind: 'paused' }
  | { kind: 'closed' };

/** SUMMARIZE_AFTER_NOTES=0: never summarize, never redact. */
export const summariesOff = 0;

export interface SummarizeConversationDependencies {
  links: Pick<LinkStore, 'get'>;
  delivery: Pick<DeliveryStore, 'notes'>;
  summaries: SummaryStore;
  intercom: Pick<IntercomPort, 'addNote' | 'findNoteByReference' | 'listNotes' | 'redactPart'>;
  /** The LLM writer; null (no OPENAI_API_KEY) means the extractive summarizer writes every summary. */
  summarizer: Summarizer | null;
  /** SUMMARIZE_AFTER_NOTES. */
  afterNotes: number;
  /** Newest raw notes left visible; default {@link defaultKeptRawNotes}. */
  keptRawNotes?: number;
  now(): Date;
  /** Per-conversation lock lifetime; must cover the LLM call and one Intercom call. Default 60,000. */
  lockTtlMs?: number;
  /** Told once per summary posted, with who wrote it. Must not throw. */
  onSummaryPosted?(writer: SummaryWriterKind): void;
  /** Told when the LLM failed and the extractive summarizer wrote instead. Must not throw. */
  onWriterFailed?(reason: SummarizerErrorReason | 'unknown', error: unknown): void;
}

/** Lines a summary keeps for the next roll-up (every error and first mention of a page beyond it). */
const maxKeptLines = 400;
/** A backlog is summarized a window at a time; a job does at most this many before yielding. */
const maxRounds = 5;

/**
 * Replaces a conversation's older raw action notes with one summary note, crash-safe:
 * the summary is recorded as pending, posted (or found by its reference after a crash), recorded with
 * its part id, and only then are the parts it replaces redacted, each recorded as it goes. A resumed
 * run never writes a second summary and never redacts a part twice (Intercom's "not redactable"
 * answer to a repeat counts as done); the summary itself and notes it does not cover are never redacted.
 */
export async function summarizeConversation(
  conversationId: string,
  dependencies: SummarizeConversationDependencies,
): Promise<SummaryOutcome> {
  const { summaries, links } = dependencies;
  const lockTtlMs = dependencies.lockTtlMs ?? 60_000;
  if (dependencies.afterNotes <= summariesOff)
    return { kind: 'done', summariesPosted: 0, partsRedacted: 0, writers: [] };
  const lock = await summaries.lock(conversationId, lockTtlMs);
  if (!lock) return { kind: 'busy' };
  const keepGoing = () => lock.extend(lockTtlMs);
  try {
    const done = { summariesPosted: 0, partsRedacted: 0, writers: [] as SummaryWriterKind[] };
    for (let round = 0; round < maxRounds; round += 1) {
      if (round > 0 && !(await keepGoing())) return { kind: 'busy' };
      const link = await links.get(conversationId);
      if (!link) return { kind: 'not_linked' };
      // A note would wake a snoozed conversation: summaries wait for it to open too.
      if (link.status !== 'open') return { kind: 'paused' };
      const state = await summaries.state(conversationId);
      let pending = state.pending;
      let isResumed = true;
      if (!pending) {
        const window = nextSummaryWindow(
          await dependencies.delivery.notes(conversationId),
          state.current,
          dependencies.afterNotes,
          dependencies.keptRawNotes,
        );
        if (!window) break;
        const lines = await windowLines(conversationId, window, dependencies);
        if ('missingLines' in lines) {
          return {
            kind: 'incomplete',
            summariesPosted: done.summariesPosted,
            firstNumber: window.firstNumber,
            lastNumber: window.lastNumber,
            missingLines: lines.missingLines,
          };
        }
        pending = await writeSummary(conversationId, window, lines.lines, dependencies);
        if (!(await keepGoing())) return { kind: 'busy' };
        await summaries.setPending(conversationId, pending);
        isResumed = false;
      }
      const result = await complete(conversationId, pending, new Set(state.redacted), isResumed, {
        ...dependencies,
        keepGoing,
      });
      if (result === 'busy') return { kind: 'busy' };
      done.summariesPosted += result.isPostedNow ? 1 : 0;
      done.partsRedacted += result.partsRedacted;
      done.writers.push(pending.writer);
    }
    return { kind: 'done', ...done };
  } finally {
    await lock.release();
  }
}

/**
 * Every line the window covers, from Threadline's own record of each note; a note written before lines
 * were recorded is read from Intercom's copy, which holds only the 500 newest parts. A window with a
 * line missing is not summarized (its notes would be redacted unread).
 */
async function windowLines(
  conversationId: string,
  window: SummaryWindow,
  dependencies: SummarizeConversationDependencies,
): Promise<{ lines: SummaryLine[] } | { missingLines: number }> {
  const lines: SummaryLine[] = [...(window.previous?.lines ?? [])];
  let bodies: Map<string, string> | undefined;
  let missingLines = 0;
  for (const note of window.notes) {
    let written = note.lines;
    if (!written) {
      bodies ??= new Map(
        (await dependencies.intercom.listNotes(conversationId)).map((listed) => [listed.partId, listed.html]),
      );
      written = readNoteLines(bodies.get(note.partId) ?? '');
    }
    const numbers = new Set<number>();
    for (const line of written) {
      if (line.number < note.firstNumber || line.number > note.lastNumber || numbers.has(line.number))
        continue;
      numbers.add(line.number);
      lines.push(line);
    }
    missingLines += note.lastNumber - note.firstNumber + 1 - numbers.size;
  }
  if (missingLines > 0) return { missingLines };
  lines.sort((a, b) => a.number - b.number);
  return { lines };
}

/** Has the covered lines summarized (LLM, else extractive) and renders the pending note. */
async function writeSummary(
  conversationId: string,
  window: SummaryWindow,
  lines: SummaryLine[],
  dependencies: SummarizeConversationDependencies,
): Promise<PendingSummary> {
  const facts = extractSummaryFacts(lines, window.firstNumber, window.lastNumber);
  let narrative: string | null = null;
  let writer: { kind: SummaryWriterKind; name: string } = { kind: 'extractive', name: 'extractive' };
  if (dependencies.summarizer) {
    try {
      narrative = cleanNarrative(
        await dependencies.summarizer.write(buildSummaryPrompt(lines, window.firstNumber, window.lastNumber)),
      );
      if (narrative === null) throw new SummarizerError('junk', 'the LLM answered nothing usable');
      writer = { kind: 'llm', name: dependencies.summarizer.name };
    } catch (error) {
      narrative = null;
      dependencies.onWriterFailed?.(error instanceof SummarizerError ? error.reason : 'unknown', error);
    }
  }
  narrative ??= extractiveNarrative(facts);
  const note = renderSummaryNote({ conversationId, facts, narrative, writer });
  return {
    reference: note.reference,
    html: note.html,
    firstNumber: window.firstNumber,
    lastNumber: window.lastNumber,
    writer: writer.kind,
    lines: condenseLines(lines, maxKeptLines),
    replaces: [
      ...(window.previous ? [window.previous.partId] : []),
      ...window.notes.map((note) => note.partId),
    ],
    partId: null,
  };
}

/** Posts the pending summary unless it already went out, then redacts what it replaces, then finishes. */
async function complete(
  conversationId: string,
  pending: PendingSummary,
  redacted: Set<string>,
  isResumed: boolean,
  dependencies: SummarizeConversationDependencies & { keepGoing(): Promise<boolean> },
): Promise<'busy' | { isPostedNow: boolean; partsRedacted: number }> {
  const { intercom, summaries } = dependencies;
  let partId = pending.partId;
  const isPostedNow = partId === null;
  if (partId === null) {
    // After a crash the post may have gone out: look for the reference before posting again.
    const found = isResumed ? await intercom.findNoteByReference(conversationId, pending.reference) : null;
    partId = found?.partId ?? (await intercom.addNote(conversationId, pending)).partId;
    await summaries.setPending(conversationId, { ...pending, partId });
    dependencies.onSummaryPosted?.(pending.writer);
  }
  let partsRedacted = 0;
  for (const replaced of pending.replaces) {
    // The summary never redacts itself, whatever the record says.
    if (replaced === partId || redacted.has(replaced)) continue;
    if (!(await dependencies.keepGoing())) return 'busy';
    try {
      await intercom.redactPart(conversationId, replaced);
    } catch (error) {
      // The part is gone: nothing is left to redact.
      if (!(error instanceof IntercomError && error.code === 'not_found')) throw error;
    }
    await summaries.markRedacted(conversationId, replaced);
    redacted.add(replaced);
    partsRedacted += 1;
  }
  const record: SummaryRecord = {
    partId,
    reference: pending.reference,
    firstNumber: pending.firstNumber,
    lastNumber: pending.lastNumber,
    writer: pending.writer,
    postedAt: dependencies.now().toISOString(),
    lines: pending.lines,
  };
  await summaries.finish(conversationId, record);
  return { isPostedNow, partsRedacted };
}
