import type { Action } from '../actions/action.js';
import { renderNote } from '../notes/render-note.js';
import type { ActivityStore, StoredAction } from '../ports/activity-store.js';
import type { DeliveryStore, PendingNote } from '../ports/delivery-store.js';
import type { IntercomPort } from '../ports/intercom-port.js';
import type { ConversationLink, LinkStore } from '../ports/link-store.js';

export type DeliveryOutcome =
  | { kind: 'delivered'; notesPosted: number; actionsPosted: number }
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
  now(): Date;
  /** How long the per-conversation lock lives if a worker dies holding it. */
  lockTtlMs?: number;
}

const prechatPauseMs = 3000;

function timeOfDay(iso: string): string {
  return iso.slice(11, 19);
}

/** The heading of the first note when it carries what the user did before opening chat. */
function prechatHeading(link: ConversationLink, actions: StoredAction[]): string | undefined {
  if (link.conversationCreatedAt === null) return undefined;
  const openedAt = link.conversationCreatedAt * 1000;
  const before = actions.filter((action) => Date.parse(action.at) <= openedAt);
  if (before.length === 0) return undefined;
  const session = link.sessionId ? `session ${link.sessionId}, ` : '';
  return `Before opening chat (${session}${timeOfDay(before[0]!.at)}–${timeOfDay(before.at(-1)!.at)} UTC)`;
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
  const release = await delivery.lock(conversationId, dependencies.lockTtlMs ?? 60_000);
  if (!release) return { kind: 'busy' };
  try {
    let notesPosted = 0;
    let actionsPosted = 0;
    for (;;) {
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
      const actions = await activity.listAfter(link, state.cursor, dependencies.maxActionsPerNote);
      if (actions.length === 0) return { kind: 'delivered', notesPosted, actionsPosted };
      const isFirstNote = state.nextNumber === 1;
      const heading = isFirstNote ? prechatHeading(link, actions) : undefined;
      const note = renderNote({
        conversationId,
        lines: actions.map((action, index) => ({ number: state.nextNumber + index, action })),
        formatLine: dependencies.formatAction,
        ...(heading ? { heading, pauseBreakMs: prechatPauseMs } : {}),
      });
      pending = {
        reference: note.reference,
        html: note.html,
        firstNumber: state.nextNumber,
        lastNumber: state.nextNumber + actions.length - 1,
        lastActionId: actions.at(-1)!.id,
      };
      await delivery.setPending(conversationId, pending);
      const { partId } = await intercom.addNote(conversationId, pending);
      await delivery.commit(conversationId, pending, partId, dependencies.now().toISOString());
      notesPosted += 1;
      actionsPosted += actions.length;
    }
  } finally {
    await release();
  }
}
