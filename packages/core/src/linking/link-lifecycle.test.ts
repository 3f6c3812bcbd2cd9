import { describe, expect, it } from 'vitest';
import { lifecycleEventOfTopic, nextLifecycle } from './link-lifecycle.js';

const at = 1_760_000_000;

describe('nextLifecycle', () => {
  it('nothing recorded + opened: open, the record written (linking writes the first note)', () => {
    expect(nextLifecycle(null, { kind: 'opened', at })).toEqual({
      record: { state: 'open', at },
      effect: 'renew',
    });
  });

  it('nothing recorded + closed (a close that arrived before its created): closed, paused from the start', () => {
    expect(nextLifecycle(null, { kind: 'closed', at })).toEqual({
      record: { state: 'closed', at },
      effect: 'pause',
    });
  });

  it('nothing recorded + deleted: ended', () => {
    expect(nextLifecycle(null, { kind: 'deleted', at })).toEqual({
      record: { state: 'ended', at },
      effect: 'end',
    });
  });

  it('open + closed: paused', () => {
    expect(nextLifecycle({ state: 'open', at }, { kind: 'closed', at: at + 5 })).toEqual({
      record: { state: 'closed', at: at + 5 },
      effect: 'pause',
    });
  });

  it('open + snoozed: paused', () => {
    expect(nextLifecycle({ state: 'open', at }, { kind: 'snoozed', at: at + 5 })).toEqual({
      record: { state: 'snoozed', at: at + 5 },
      effect: 'pause',
    });
  });

  it('closed + opened: resumed (one catch-up note)', () => {
    expect(nextLifecycle({ state: 'closed', at }, { kind: 'opened', at: at + 60 })).toEqual({
      record: { state: 'open', at: at + 60 },
      effect: 'resume',
    });
  });

  it('closed + replied: resumed (a user reply reopens the conversation)', () => {
    expect(nextLifecycle({ state: 'closed', at }, { kind: 'replied', at: at + 60 }).effect).toBe('resume');
  });

  it('snoozed + unsnoozed: resumed', () => {
    expect(nextLifecycle({ state: 'snoozed', at }, { kind: 'unsnoozed', at: at + 60 })).toEqual({
      record: { state: 'open', at: at + 60 },
      effect: 'resume',
    });
  });

  it('snoozed + replied: resumed', () => {
    expect(nextLifecycle({ state: 'snoozed', at }, { kind: 'replied', at: at + 1 }).effect).toBe('resume');
  });

  it('snoozed + closed: still paused, now closed', () => {
    expect(nextLifecycle({ state: 'snoozed', at }, { kind: 'closed', at: at + 1 })).toEqual({
      record: { state: 'closed', at: at + 1 },
      effect: 'renew',
    });
  });

  it('closed + snoozed: still paused, now snoozed', () => {
    expect(nextLifecycle({ state: 'closed', at }, { kind: 'snoozed', at: at + 1 })).toEqual({
      record: { state: 'snoozed', at: at + 1 },
      effect: 'renew',
    });
  });

  it('open + replied: stays open, the record renewed', () => {
    expect(nextLifecycle({ state: 'open', at }, { kind: 'replied', at: at + 9 })).toEqual({
      record: { state: 'open', at: at + 9 },
      effect: 'renew',
    });
  });

  it('open, closed or snoozed + deleted: ended', () => {
    for (const state of ['open', 'closed', 'snoozed'] as const) {
      expect(nextLifecycle({ state, at }, { kind: 'deleted', at: at + 1 })).toEqual({
        record: { state: 'ended', at: at + 1 },
        effect: 'end',
      });
    }
  });

  it('ended + anything, however late: stays ended (a tombstone)', () => {
    for (const kind of ['opened', 'replied', 'closed', 'unsnoozed', 'deleted'] as const) {
      expect(nextLifecycle({ state: 'ended', at }, { kind, at: at + 100 })).toEqual({
        record: { state: 'ended', at },
        effect: 'stale',
      });
    }
  });

  it('an event older than the record is stale: a closed that arrives after a later opened changes nothing', () => {
    expect(nextLifecycle({ state: 'open', at: at + 60 }, { kind: 'closed', at })).toEqual({
      record: { state: 'open', at: at + 60 },
      effect: 'stale',
    });
  });

  it('a replay of the event that set the record changes nothing', () => {
    expect(nextLifecycle({ state: 'closed', at }, { kind: 'closed', at })).toEqual({
      record: { state: 'closed', at },
      effect: 'none',
    });
  });

  it('two events of the same second: the stronger state wins in either arrival order', () => {
    const closedFirst = nextLifecycle(nextLifecycle(null, { kind: 'closed', at }).record, {
      kind: 'opened',
      at,
    });
    const openedFirst = nextLifecycle({ state: 'open', at }, { kind: 'closed', at });
    expect(closedFirst.record).toEqual({ state: 'closed', at });
    expect(openedFirst.record).toEqual({ state: 'closed', at });
  });
});

describe('lifecycleEventOfTopic', () => {
  it('maps every subscribed topic and nothing else', () => {
    expect(lifecycleEventOfTopic('conversation.admin.closed')).toBe('closed');
    expect(lifecycleEventOfTopic('conversation.admin.opened')).toBe('opened');
    expect(lifecycleEventOfTopic('conversation.admin.snoozed')).toBe('snoozed');
    expect(lifecycleEventOfTopic('conversation.admin.unsnoozed')).toBe('unsnoozed');
    expect(lifecycleEventOfTopic('conversation.user.replied')).toBe('replied');
    expect(lifecycleEventOfTopic('conversation.deleted')).toBe('deleted');
    expect(lifecycleEventOfTopic('conversation.admin.noted')).toBeNull();
  });
});
