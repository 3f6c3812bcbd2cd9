import type { Action } from '../actions/action.js';
import { renderNote } from '../notes/render-note.js';
import type { ActivityStore, StoredAction } from '../ports/activity-store.js';
import type { DeliveryStore, PendingNote } from '../ports/delivery-store.js';
import type { IntercomPort } from '../ports/intercom-port.js';
import type { ConversationLink, LinkStore } from '../ports/link-store.js';

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
  | { kind: 'closed' };

export interface DeliverNotesDependencies {
  activity: ActivityStore;
  links: LinkStore;
  delivery: DeliveryStore;
  intercom: IntercomPort;
  formatAction(action: Action): string;
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
  const times = actions.map((action) => action.at).sort();
  const session = link.sessionId ? `session ${link.sessionId}, ` : '';
  return `Before opening chat (${session}${timeOfDay(times[0]!)}–${timeOfDay(times.at(-1)!)} UTC)`;
}

/** Arrival order can differ from event order (parallel requests); a note lists its actions by time. */
function byTime(actions: StoredAction[]): StoredAction[] {
  return actions
    .map((action, index) => ({ action, index, at: Date.parse(action.at) }))
    .sort((a, b) => a.at - b.at || a.index - b.index)
    .map(({ action }) => action);
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
      if (link.status === 'closed') return { kind: 'closed' };
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
      const isFirstNote = state.nextNumber === 1;
      const limit = isFirstNote
        ? Math.max(dependencies.maxActionsPerNote, dependencies.prechatActions ?? 0)
        : dependencies.maxActionsPerNote;
      const fetched = await activity.listAfter(link, state.cursor, limit);
      if (fetched.length === 0) return { kind: 'delivered', notesPosted, actionsPosted, liveEventTimes };
      const prechat = isFirstNote ? prechatBatch(link, fetched) : null;
      const batch = prechat ?? fetched.slice(0, dependencies.maxActionsPerNote);
      const note = renderNote({
        conversationId,
        lines: byTime(batch).map((action, index) => ({ number: state.nextNumber + index, action })),
        formatLine: dependencies.formatAction,
        ...(prechat ? { heading: prechatHeading(link, prechat), pauseBreakMs: prechatPauseMs } : {}),
      });
      pending = {
        reference: note.reference,
        html: note.html,
        firstNumber: state.nextNumber,
        lastNumber: state.nextNumber + batch.length - 1,
        // The cursor follows storage order, whatever order the note lists them in.
        lastActionId: batch.at(-1)!.id,
      };
      await delivery.setPending(conversationId, pending);
      const { partId } = await intercom.addNote(conversationId, pending);
      await delivery.commit(conversationId, pending, partId, dependencies.now().toISOString());
      notesPosted += 1;
      actionsPosted += batch.length;
      if (!prechat) liveEventTimes.push(...batch.map((action) => action.at));
    }
  } finally {
    await lock.release();
  }
}
