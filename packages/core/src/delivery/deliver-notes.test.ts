import { describe, expect, it } from 'vitest';
import type { StoredAction } from '../ports/activity-store.js';
import type { DeliveryLock, DeliveryState, PendingNote } from '../ports/delivery-store.js';
import type { ConversationLink } from '../ports/link-store.js';
import { type DeliverNotesDependencies, deliverNotes } from './deliver-notes.js';

const conversationId = 'conv-1';
const link: ConversationLink = {
  conversationId,
  productId: 'product',
  userId: 'user-1',
  appId: null,
  sessionId: null,
  // No pre-chat split: every action is live.
  conversationCreatedAt: null,
  linkedAt: '2026-01-01T00:00:00.000Z',
  status: 'open',
  contactId: null,
};

function action(index: number): StoredAction {
  return {
    id: `1000-${index}`,
    type: 'pageview',
    description: `Viewed /page-${index}`,
    at: new Date(Date.UTC(2026, 0, 1, 0, 1, index)).toISOString(),
  } as StoredAction;
}

/** The ports' contracts in memory, recording what was posted and what the lock went through. */
function world(actions: StoredAction[], options: { lockLostAfterExtends?: number; lockHeld?: boolean } = {}) {
  const state: DeliveryState = {
    cursor: null,
    nextNumber: 1,
    writtenThrough: null,
    pending: null,
    catchUp: null,
  };
  const posted: { html: string; reference: string }[] = [];
  const lockEvents: string[] = [];
  let extends_ = 0;
  const lock: DeliveryLock = {
    release: async () => void lockEvents.push('release'),
    extend: async () => {
      extends_ += 1;
      lockEvents.push('extend');
      return options.lockLostAfterExtends === undefined || extends_ <= options.lockLostAfterExtends;
    },
  };
  const after = (id: string | null) => (id === null ? 0 : actions.findIndex((entry) => entry.id === id) + 1);
  const deps: DeliverNotesDependencies = {
    activity: {
      listAfter: async (_user, afterId, limit) => actions.slice(after(afterId), after(afterId) + limit),
      listRecent: async (_user, limit) => actions.slice(-limit),
    },
    links: { get: async (id) => (id === conversationId ? link : null) },
    delivery: {
      lock: async () => (options.lockHeld ? null : lock),
      state: async () => structuredClone(state),
      setPending: async (_id, pending) => {
        state.pending = pending;
      },
      clearCatchUp: async () => {
        state.catchUp = null;
      },
      commit: async (_id, pending: PendingNote) => {
        state.cursor = pending.lastActionId;
        state.nextNumber = pending.lastNumber + 1;
        if (pending.writtenThrough) state.writtenThrough = pending.writtenThrough;
        state.pending = null;
      },
    },
    intercom: {
      addNote: async (_id, note) => {
        posted.push(note);
        return { partId: `part-${posted.length}` };
      },
      findNoteByReference: async (_id, reference) => {
        const index = posted.findIndex((note) => note.reference === reference);
        return index === -1 ? null : { partId: `part-${index + 1}` };
      },
    },
    maxActionsPerNote: 1,
    now: () => new Date('2026-01-01T00:05:00Z'),
    lockTtlMs: 25_000,
  };
  return { deps, state, posted, lockEvents };
}

describe('deliverNotes', () => {
  it('writes every action once, in order, one note at a time, renewing the lock before each note', async () => {
    const { deps, state, posted, lockEvents } = world([action(1), action(2), action(3)]);
    const outcome = await deliverNotes(conversationId, deps);
    expect(outcome).toMatchObject({ kind: 'delivered', notesPosted: 3, actionsPosted: 3 });
    expect(posted.map((note) => /\[(\d+)\] Viewed \/page-(\d+)/.exec(note.html)?.slice(1))).toEqual([
      ['1', '1'],
      ['2', '2'],
      ['3', '3'],
    ]);
    expect(state).toMatchObject({ cursor: '1000-3', nextNumber: 4, pending: null });
    expect(lockEvents).toEqual(['extend', 'extend', 'extend', 'release']);
  });

  it('a note lists its batch by event time; an action arriving after a later one was written comes next, marked', async () => {
    // Arrival order: page-3, page-1 (one request, newest first), then page-2 late, after note 1.
    const arrived = [action(3), action(1), { ...action(2), id: '1000-9' }];
    const { deps, state, posted } = world(arrived.slice(0, 2));
    deps.maxActionsPerNote = 10;
    await deliverNotes(conversationId, deps);
    const late = world(arrived);
    Object.assign(late.state, state);
    late.deps.maxActionsPerNote = 10;
    await deliverNotes(conversationId, late.deps);
    const lines = (html: string) => [...html.matchAll(/<p>(\[\d+\][^<]*)<\/p>/g)].map((match) => match[1]);
    expect(lines(posted[0]!.html)).toEqual(['[1] Viewed /page-1', '[2] Viewed /page-3']);
    expect(lines(late.posted[0]!.html)).toEqual(['[3] (earlier, 00:01:02) Viewed /page-2']);
    // Every action written once: the cursor went by arrival to the last one.
    expect(late.state).toMatchObject({
      cursor: '1000-9',
      nextNumber: 4,
      writtenThrough: '2026-01-01T00:01:03.000Z',
    });
  });

  it('the pre-chat note: the newest PRECHAT_ACTIONS by event time of the run before the opening; the cursor passes it all', async () => {
    // Arrived newest first; all happened before the conversation was opened (00:01:30).
    const arrived = [action(5), action(6), action(3), action(4), action(1), action(2), action(40)];
    const { deps, state, posted } = world(arrived);
    deps.links = {
      get: async () => ({ ...link, conversationCreatedAt: Date.parse('2026-01-01T00:01:30Z') / 1000 }),
    };
    deps.maxActionsPerNote = 10;
    deps.prechatActions = 4;
    await deliverNotes(conversationId, deps);
    const lines = (html: string) => [...html.matchAll(/<p>(\[\d+\][^<]*)<\/p>/g)].map((match) => match[1]);
    expect(lines(posted[0]!.html)).toEqual([
      '[1] Viewed /page-3',
      '[2] Viewed /page-4',
      '[3] Viewed /page-5',
      '[4] Viewed /page-6',
    ]);
    expect(posted[0]!.html).toContain('Before opening chat (00:01:03–00:01:06 UTC)');
    // The live action follows in the next note; nothing of the run is written twice.
    expect(lines(posted[1]!.html)).toEqual(['[5] Viewed /page-40']);
    expect(state).toMatchObject({ cursor: '1000-40', nextNumber: 6 });
  });

  it('after a crash between post and commit, finds the note by its reference and commits it, posting nothing twice', async () => {
    const { deps, state, posted } = world([action(1), action(2)]);
    // The first run posted note 1 and died before the commit: the pending note is still recorded.
    const note = { reference: 'tl-conv-1-1-1', html: '<p>[1] Viewed /page-1</p>' };
    state.pending = { ...note, firstNumber: 1, lastNumber: 1, lastActionId: '1000-1' };
    posted.push(note);
    const outcome = await deliverNotes(conversationId, deps);
    expect(outcome).toMatchObject({ kind: 'delivered', notesPosted: 2, actionsPosted: 2 });
    expect(posted.map((note) => note.reference)).toEqual(['tl-conv-1-1-1', 'tl-conv-1-2-2']);
    expect(state).toMatchObject({ cursor: '1000-2', nextNumber: 3, pending: null });
  });

  it('losing the lock mid-run: the note in flight is committed, nothing follows it, and it says busy', async () => {
    // The lock survives the first renewal and is lost (lapsed, taken by another worker) at the second.
    const { deps, state, posted, lockEvents } = world([action(1), action(2), action(3)], {
      lockLostAfterExtends: 1,
    });
    const outcome = await deliverNotes(conversationId, deps);
    expect(outcome).toEqual({ kind: 'busy' });
    expect(posted).toHaveLength(2);
    // The holder carries on from the committed state: action 3 is left for it, numbered 3.
    expect(state).toMatchObject({ cursor: '1000-2', nextNumber: 3, pending: null });
    expect(lockEvents).toEqual(['extend', 'extend', 'release']);
  });

  it('another delivery in flight (the lock is held): busy, nothing read or posted', async () => {
    const { deps, posted, lockEvents } = world([action(1)], { lockHeld: true });
    expect(await deliverNotes(conversationId, deps)).toEqual({ kind: 'busy' });
    expect(posted).toEqual([]);
    expect(lockEvents).toEqual([]);
  });

  it('an unlinked conversation: not_linked, the lock released', async () => {
    const { deps, posted, lockEvents } = world([action(1)]);
    expect(await deliverNotes('conv-unknown', deps)).toEqual({ kind: 'not_linked' });
    expect(posted).toEqual([]);
    expect(lockEvents).toEqual(['release']);
  });
});
