import { byEventTime, newestByEventTime, planNoteLines } from '../actions/event-time-order.js';
import { formatAction } from '../actions/format-action.js';
import { renderNote } from '../notes/render-note.js';
import type { ActivityStore, StoredAction } from '../ports/activity-store.js';
import type { DeliveryStore, PendingNote } from '../ports/delivery-store.js';
import type { IntercomPort } from '../ports/intercom-port.js';
import type { CatchUp, ConversationLink, LinkStore } from '../ports/link-store.js';
import type { SummaryLine } from '../ports/summary-store.js';

export type DeliveryOutcome =
  | {
      kind: 'delivered';
      notesPosted: number;
      actionsPosted: number;
      /** Event times of the live (not pre-chat) actions posted, for the event→note latency. */
      liveEventTimes: string[];
    }
  | { kind: 'busy' }
  | { kind: 'not_linked' }
  /** Closed or snoozed: nothing is written until it is opened again. */
  | { kind: 'paused' }
  | { kind: 'closed' };

export interface DeliverNotesDependencies {
  activity: Pick<ActivityStore, 'listAfter' | 'listRecent'>;
  links: Pick<LinkStore, 'get'>;
  delivery: Pick<DeliveryStore, 'lock' | 'state' | 'setPending' | 'commit' | 'clearCatchUp'>;
  intercom: Pick<IntercomPort, 'findNoteByReference' | 'addNote'>;
  maxActionsPerNote: number;
  /** The first note may carry this many pre-chat actions, even beyond `maxActionsPerNote`. */
  prechatActions?: number;
  now(): Date;
  /**
   * How long the per-conversation lock lives if a worker dies holding it; renewed before each note,
   * so it must cover one note's calls (a lookup and a post). Default 60,000.
   */
  lockTtlMs?: number;
}

const prechatPauseMs = 3000;

function timeOfDay(iso: string): string {
  return iso.slice(11, 19);
}

/**
 * The first note carries only what happened before the conversation was opened (when there is
 * any), so the agent reads "before" and "since" apart; the rest follows in live notes.
 */
function prechatBatch(link: ConversationLink, actions: StoredAction[]): StoredAction[] | null {
  if (link.conversationCreatedAt === null) return null;
  // Intercom's created_at has whole seconds: everything in that second counts as before.
  const openedAt = (link.conversationCreatedAt + 1) * 1000 - 1;
  const count = actions.findIndex((action) => Date.parse(action.at) > openedAt);
  const before = count === -1 ? actions : actions.slice(0, count);
  return before.length > 0 ? before : null;
}

function prechatHeading(link: ConversationLink, actions: StoredAction[]): string {
  const times = byEventTime(actions).map((action) => action.at);
  const session = link.sessionId ? `session ${link.sessionId}, ` : '';
  return `Before opening chat (${session}${timeOfDay(times[0]!)}–${timeOfDay(times.at(-1)!)} UTC)`;
}

/** Stream ids (`<ms>-<seq>`) in storage order. */
function isAfter(id: string, cursor: string | null): boolean {
  if (cursor === null) return true;
  const [ms = 0, seq = 0] = id.split('-').map(Number);
  const [cursorMs = 0, cursorSeq = 0] = cursor.split('-').map(Number);
  return ms > cursorMs || (ms === cursorMs && seq > cursorSeq);
}

/**
 * After a pause, one note brings what happened meanwhile: the newest `limit` actions after the cursor
 * (older ones are left out, as before a first note). Null when nothing happened.
 */
async function catchUpBatch(
  activity: DeliverNotesDependencies['activity'],
  link: ConversationLink,
  cursor: string | null,
  limit: number,
): Promise<{ batch: StoredAction[]; leftOut: boolean } | null> {
  if (limit <= 0) return null;
  const recent = (await activity.listRecent(link, limit + 1)).filter((action) => isAfter(action.id, cursor));
  if (recent.length === 0) return null;
  return { batch: recent.slice(-limit), leftOut: recent.length > limit };
}

function catchUpHeading(catchUp: CatchUp, batch: StoredAction[], leftOut: boolean): string {
  const since = timeOfDay(new Date(catchUp.since * 1000).toISOString());
  const newest = leftOut ? `, the newest ${batch.length} actions` : '';
  return `Catch-up: while the conversation was ${catchUp.from} (since ${since} UTC${newest})`;
}

/** Plain lines as the note shows them, whitespace folded like a reader of the HTML would see them. */
function recordedLines(lines: { number: number; text: string }[]): SummaryLine[] {
  return lines.map((line) => ({ number: line.number, text: line.text.replace(/\s+/g, ' ').trim() }));
}

/**
 * Writes every not-yet-written action of a linked conversation as numbered notes, in order.
 * Exactly once: the note is recorded as pending before it is posted, and a pending note is looked
 * up in the conversation before it is posted again.
 */
export async function deliverNotes(
  conversationId: string,
  dependencies: DeliverNotesDependencies,
): Promise<DeliveryOutcome> {
  const { activity, links, delivery, intercom } = dependencies;
  const lockTtlMs = dependencies.lockTtlMs ?? 60_000;
  const lock = await delivery.lock(conversationId, lockTtlMs);
  if (!lock) return { kind: 'busy' };
  try {
    let notesPosted = 0;
    let actionsPosted = 0;
    const liveEventTimes: string[] = [];
    for (let round = 0; ; round += 1) {
      // Lost (lapsed and taken by another worker): stop, the holder carries on from the same state.
      if (round > 0 && !(await lock.extend(lockTtlMs))) return { kind: 'busy' };
      const link = await links.get(conversationId);
      if (!link) return { kind: 'not_linked' };
      // A note already posting finishes (above, last round); nothing after it while paused.
      if (link.status !== 'open') return { kind: 'paused' };
      const state = await delivery.state(conversationId);
      let pending: PendingNote | null = state.pending;
      if (pending) {
        const alreadyPosted = await intercom.findNoteByReference(conversationId, pending.reference);
        const partId = alreadyPosted?.partId ?? (await intercom.addNote(conversationId, pending)).partId;
        await delivery.commit(conversationId, pending, partId, dependencies.now().toISOString());
        notesPosted += 1;
        actionsPosted += pending.lastNumber - pending.firstNumber + 1;
        continue;
      }
      // Before any note was written there is nothing to catch up on: the first note is the pre-chat one.
      if (state.catchUp && state.nextNumber === 1) await delivery.clearCatchUp(conversationId);
      if (state.catchUp && state.nextNumber > 1) {
        const limit = dependencies.prechatActions ?? dependencies.maxActionsPerNote;
        const found = await catchUpBatch(activity, link, state.cursor, limit);
        if (!found) {
          // Nothing happened meanwhile, or PRECHAT_ACTIONS is 0: what happened is left out.
          const newest = limit <= 0 ? (await activity.listRecent(link, 1)).at(-1) : undefined;
          const skipThrough = newest && isAfter(newest.id, state.cursor) ? newest.id : undefined;
          await delivery.clearCatchUp(conversationId, skipThrough);
          continue;
        }
        const planned = planNoteLines(found.batch, state.nextNumber, state.writtenThrough);
        const note = renderNote({
          conversationId,
          lines: planned.lines,
          writtenThrough: state.writtenThrough,
          formatLine: formatAction,
          heading: catchUpHeading(state.catchUp, found.batch, found.leftOut),
          pauseBreakMs: prechatPauseMs,
        });
        pending = {
          reference: note.reference,
          html: note.html,
          firstNumber: state.nextNumber,
          lastNumber: state.nextNumber + found.batch.length - 1,
          lastActionId: found.batch.at(-1)!.id,
          lines: recordedLines(note.lines),
          isCatchUp: true,
          ...(planned.writtenThrough ? { writtenThrough: planned.writtenThrough } : {}),
        };
        await delivery.setPending(conversationId, pending);
        const { partId } = await intercom.addNote(conversationId, pending);
        await delivery.commit(conversationId, pending, partId, dependencies.now().toISOString());
        notesPosted += 1;
        actionsPosted += found.batch.length;
        continue;
      }
      const isFirstNote = state.nextNumber === 1;
      const limit = isFirstNote
        ? Math.max(dependencies.maxActionsPerNote, dependencies.prechatActions ?? 0)
        : dependencies.maxActionsPerNote;
      const fetched = await activity.listAfter(link, state.cursor, limit);
      if (fetched.length === 0) return { kind: 'delivered', notesPosted, actionsPosted, liveEventTimes };
      const prechat = isFirstNote && dependencies.prechatActions !== 0 ? prechatBatch(link, fetched) : null;
      const batch = prechat ?? fetched.slice(0, dependencies.maxActionsPerNote);
      // The cursor passes the whole arrival prefix; older pre-chat actions that arrived after the
      // newest PRECHAT_ACTIONS are left out, as those before the link's cursor are.
      const shown = prechat
        ? newestByEventTime(prechat, dependencies.prechatActions ?? prechat.length)
        : batch;
      // Read by arrival, shown by event time; one that arrived after a later one was written is marked.
      const planned = planNoteLines(shown, state.nextNumber, state.writtenThrough);
      const note = renderNote({
        conversationId,
        lines: planned.lines,
        writtenThrough: state.writtenThrough,
        formatLine: formatAction,
        ...(prechat ? { heading: prechatHeading(link, shown), pauseBreakMs: prechatPauseMs } : {}),
      });
      pending = {
        reference: note.reference,
        html: note.html,
        firstNumber: state.nextNumber,
        lastNumber: state.nextNumber + shown.length - 1,
        // The cursor follows storage order, whatever order the note lists them in.
        lastActionId: batch.at(-1)!.id,
        lines: recordedLines(note.lines),
        ...(planned.writtenThrough ? { writtenThrough: planned.writtenThrough } : {}),
      };
      await delivery.setPending(conversationId, pending);
      const { partId } = await intercom.addNote(conversationId, pending);
      await delivery.commit(conversationId, pending, partId, dependencies.now().toISOString());
      notesPosted += 1;
      actionsPosted += shown.length;
      if (!prechat) liveEventTimes.push(...batch.map((action) => action.at));
    }
  } finally {
    await lock.release();
  }
}
