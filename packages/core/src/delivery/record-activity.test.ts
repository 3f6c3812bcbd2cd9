import { describe, expect, it } from 'vitest';
import type { Action, CapturedEvent } from '../actions/action.js';
import { describeEvent } from '../actions/describe-event.js';
import type { ActivityStore, AppendResult, StoredAction, UserRef } from '../ports/activity-store.js';
import { recordActivity } from './record-activity.js';

/** The port's contract in memory: append-ordered lists per user, merge moves and clears. */
class InMemoryActivityStore implements ActivityStore {
  readonly users = new Map<string, StoredAction[]>();
  private readonly aliases = new Map<string, string>();
  private nextId = 0;

  async append(user: UserRef, actions: Action[]): Promise<AppendResult> {
    const isNewUser = !this.users.has(user.userId);
    const list = this.users.get(user.userId) ?? [];
    const ids = actions.map((action) => {
      this.nextId += 1;
      list.push({ ...action, id: String(this.nextId) });
      return String(this.nextId);
    });
    this.users.set(user.userId, list);
    return { ids, isNewUser };
  }

  async listAfter(user: UserRef): Promise<StoredAction[]> {
    return this.users.get(user.userId) ?? [];
  }

  async listRecent(user: UserRef): Promise<StoredAction[]> {
    return this.users.get(user.userId) ?? [];
  }

  async merge(from: UserRef, into: UserRef): Promise<number> {
    this.aliases.set(from.userId, into.userId);
    const moved = this.users.get(from.userId) ?? [];
    this.users.delete(from.userId);
    await this.append(
      into,
      moved.map(({ id: _id, ...action }) => action),
    );
    return moved.length;
  }

  async identifiedAs(user: UserRef): Promise<string | null> {
    return this.aliases.get(user.userId) ?? null;
  }
}

const start = Date.parse('2025-01-06T09:00:00.000Z');

function event(name: string, distinctId: string, second: number, properties: Record<string, unknown> = {}) {
  return {
    event: name,
    distinctId,
    timestamp: new Date(start + second * 1000),
    properties: { $pathname: '/pricing', ...properties },
  } satisfies CapturedEvent;
}

function record(store: ActivityStore, events: CapturedEvent[]) {
  return recordActivity('default', events, {
    activity: store,
    links: { conversationsOf: async () => [] },
    describe: (captured) => describeEvent(captured),
    requestDelivery: async () => {},
  });
}

const descriptions = (store: InMemoryActivityStore, userId: string) =>
  (store.users.get(userId) ?? []).map((action) => action.description);

describe('recordActivity and $identify', () => {
  it('moves actions stored before an earlier $identify to the user', async () => {
    const store = new InMemoryActivityStore();
    await record(store, [event('$pageview', 'anon-1', 0, { title: 'Pricing' })]);
    await record(store, [event('$identify', 'user-1', 1, { $anon_distinct_id: 'anon-1' })]);
    expect(descriptions(store, 'user-1')).toEqual(['Viewed Pricing (/pricing)', 'Signed in']);
    expect(store.users.has('anon-1')).toBe(false);
  });

  it('gives the user the anonymous events sent in the same batch as the $identify', async () => {
    const store = new InMemoryActivityStore();
    await record(store, [event('$pageview', 'anon-2', 0, { title: 'Pricing' })]);
    const result = await record(store, [
      event('plan_selected', 'anon-2', 1, { plan: 'Pro' }),
      event('$identify', 'user-2', 2, { $anon_distinct_id: 'anon-2' }),
      event('checkout_started', 'user-2', 3),
    ]);
    expect(descriptions(store, 'user-2')).toEqual([
      'Viewed Pricing (/pricing)',
      'Plan selected (plan: Pro)',
      'Signed in',
      'Checkout started',
    ]);
    expect(store.users.has('anon-2')).toBe(false);
    expect(result).toMatchObject({ stored: 3, users: 1 });
  });

  it('gives the user anonymous events that arrive after the $identify (posthog-js sends it at once)', async () => {
    const store = new InMemoryActivityStore();
    await record(store, [event('$identify', 'user-4', 2, { $anon_distinct_id: 'anon-4' })]);
    await record(store, [
      event('plan_selected', 'anon-4', 1, { plan: 'Pro', $is_identified: false }),
      event('plan_selected', 'anon-other', 1, { plan: 'Team', $is_identified: false }),
    ]);
    expect(descriptions(store, 'user-4')).toEqual(['Signed in', 'Plan selected (plan: Pro)']);
    expect(store.users.has('anon-4')).toBe(false);
    expect(descriptions(store, 'anon-other')).toEqual(['Plan selected (plan: Team)']);
  });

  it('leaves other users in the batch alone', async () => {
    const store = new InMemoryActivityStore();
    await record(store, [
      event('plan_selected', 'anon-3', 0, { plan: 'Pro' }),
      event('plan_selected', 'someone-else', 0, { plan: 'Team' }),
      event('$identify', 'user-3', 1, { $anon_distinct_id: 'anon-3' }),
    ]);
    expect(descriptions(store, 'user-3')).toEqual(['Plan selected (plan: Pro)', 'Signed in']);
    expect(descriptions(store, 'someone-else')).toEqual(['Plan selected (plan: Team)']);
  });
});

describe('recordActivity and the store', () => {
  /** Logs every call the use case makes, in the order the results come back. */
  class LoggingActivityStore extends InMemoryActivityStore {
    readonly log: string[] = [];

    override async append(user: UserRef, actions: Action[]): Promise<AppendResult> {
      await new Promise((resolve) => setTimeout(resolve, 1));
      this.log.push(`append ${user.userId} ${actions.map((action) => action.description).join(', ')}`);
      return super.append(user, actions);
    }
  }

  it('appends each user once, oldest first, events of the same instant in arrival order', async () => {
    const store = new LoggingActivityStore();
    const result = await record(store, [
      event('step_two', 'ann', 2),
      event('other_one', 'bob', 1),
      event('step_one', 'ann', 1),
      event('step_one_bis', 'ann', 1),
      event('other_two', 'bob', 2),
    ]);
    expect(store.log.sort()).toEqual([
      'append ann Step one, Step one bis, Step two',
      'append bob Other one, Other two',
    ]);
    expect(result).toEqual({ stored: 5, dropped: 0, users: 2, duplicates: 0, newUsers: 2 });
  });

  it('looks up conversations only once every append is done, and asks for each delivery', async () => {
    const store = new LoggingActivityStore();
    const requested: string[] = [];
    await recordActivity('default', [event('a', 'ann', 0), event('b', 'bob', 0)], {
      activity: store,
      links: {
        conversationsOf: async ({ userId }) => {
          store.log.push(`conversations ${userId}`);
          return userId === 'ann' ? ['conv-1', 'conv-2'] : ['conv-3'];
        },
      },
      describe: (captured) => describeEvent(captured),
      requestDelivery: async (conversationId) => {
        requested.push(conversationId);
      },
    });
    expect(store.log.slice(0, 2).sort()).toEqual(['append ann A', 'append bob B']);
    expect(store.log.slice(2)).toEqual(['conversations ann', 'conversations bob']);
    expect(requested).toEqual(['conv-1', 'conv-2', 'conv-3']);
  });
});
