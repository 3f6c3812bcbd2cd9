/**
 * A link's life, as one pure function. `open`: notes flow. `closed` and `snoozed`: paused, no notes; the
 * actions meanwhile wait for one catch-up note. `ended`: the link and its keys are gone (the record stays
 * a while as a tombstone, so a late notification cannot bring it back).
 */
export type LinkState = 'open' | 'closed' | 'snoozed' | 'ended';

/** What Intercom told us, in Threadline's words (see {@link lifecycleEventOfTopic}). */
export type LifecycleEventKind = 'opened' | 'replied' | 'closed' | 'snoozed' | 'unsnoozed' | 'deleted';

export interface LifecycleEvent {
  kind: LifecycleEventKind;
  /** Unix seconds: the notification's own `created_at`, never when it arrived. */
  at: number;
}

/** The state and the time of the notification that set it. */
export interface LifecycleRecord {
  state: LinkState;
  at: number;
}

/**
 * `pause`: stop asking for notes. `resume`: write one catch-up note, then live notes. `end`: remove the
 * link and its keys. `renew`: the flow does not change (open stays open, paused stays paused), the record
 * is newer. `none`: nothing changes. `stale`: older than the record (out of order, or a replay), ignored.
 */
export type LifecycleEffect = 'pause' | 'resume' | 'end' | 'renew' | 'none' | 'stale';

export interface LifecycleTransition {
  record: LifecycleRecord;
  effect: LifecycleEffect;
}

const topics: Record<string, LifecycleEventKind> = {
  'conversation.user.created': 'opened',
  'conversation.user.replied': 'replied',
  'conversation.admin.opened': 'opened',
  'conversation.admin.closed': 'closed',
  'conversation.admin.snoozed': 'snoozed',
  'conversation.admin.unsnoozed': 'unsnoozed',
  'conversation.deleted': 'deleted',
  'contact.deleted': 'deleted',
};

/** The lifecycle event a webhook topic stands for, or null for a topic that moves no link. */
export function lifecycleEventOfTopic(topic: string): LifecycleEventKind | null {
  return topics[topic] ?? null;
}

const target: Record<LifecycleEventKind, LinkState> = {
  opened: 'open',
  replied: 'open',
  unsnoozed: 'open',
  closed: 'closed',
  snoozed: 'snoozed',
  deleted: 'ended',
};

/** Two notifications of the same second: the stronger state wins, whichever arrived last. */
const strength: Record<LinkState, number> = { open: 0, snoozed: 1, closed: 2, ended: 3 };

function isPaused(state: LinkState): boolean {
  return state === 'closed' || state === 'snoozed';
}

/**
 * The next record and what to do, from the current record (null: nothing recorded yet, which reads as
 * open) and one event. Order is decided by the event's time: an event older than the record is stale.
 */
export function nextLifecycle(current: LifecycleRecord | null, event: LifecycleEvent): LifecycleTransition {
  const next: LifecycleRecord = { state: target[event.kind], at: event.at };
  if (current === null) {
    return {
      record: next,
      effect: next.state === 'ended' ? 'end' : isPaused(next.state) ? 'pause' : 'renew',
    };
  }
  if (current.state === 'ended') return { record: current, effect: 'stale' };
  if (event.at < current.at) return { record: current, effect: 'stale' };
  if (event.at === current.at && strength[next.state] <= strength[current.state]) {
    return { record: current, effect: next.state === current.state ? 'none' : 'stale' };
  }
  if (next.state === 'ended') return { record: next, effect: 'end' };
  if (next.state === current.state) return { record: next, effect: 'renew' };
  if (next.state === 'open') return { record: next, effect: 'resume' };
  if (current.state === 'open') return { record: next, effect: 'pause' };
  return { record: next, effect: 'renew' };
}
