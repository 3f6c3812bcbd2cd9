import { describe, expect, it } from 'vitest';
import type { Action, CapturedEvent } from '../actions/action.js';
import type { IdentitySettings } from '../identity/identity-mode.js';
import type {
  ActivityStore,
  AppendOptions,
  AppendResult,
  UserAppend,
  UserRef,
} from '../ports/activity-store.js';
import { InMemoryActivityStore } from './in-memory-activity-store.test-support.js';
import { recordActivity } from './record-activity.js';

const start = Date.parse('2025-01-06T09:00:00.000Z');

function event(name: string, distinctId: string, second: number, properties: Record<string, unknown> = {}) {
  return {
    event: name,
    distinctId,
    timestamp: new Date(start + second * 1000),
    properties: { $pathname: '/pricing', ...properties },
  } satisfies CapturedEvent;
}

function record(store: ActivityStore, events: CapturedEvent[], identity?: IdentitySettings) {
  return recordActivity('default', events, {
    activity: store,
    links: { conversationsOf: async () => [], get: async () => null },
    requestDelivery: async () => {},
    ...(identity ? { identity } : {}),
  });
}

/** posthog-js marks every event before `identify` so. */
const anonymous = { $is_identified: false };

const descriptions = (store: InMemoryActivityStore, userId: string) =>
  (store.users.get(userId) ?? []).map((action) => action.description);

describe('recordActivity and $identify', () => {
  it('moves actions stored before an earlier $identify to the user', async () => {
    const store = new InMemoryActivityStore();
    await record(store, [event('$pageview', 'anon-1', 0, { title: 'Pricing', ...anonymous })]);
    await record(store, [event('$identify', 'user-1', 1, { $anon_distinct_id: 'anon-1' })]);
    expect(descriptions(store, 'user-1')).toEqual(['Viewed Pricing (/pricing)', 'Signed in']);
    expect(store.users.has('anon-1')).toBe(false);
  });

  it('gives the user the anonymous events sent in the same batch as the $identify', async () => {
    const store = new InMemoryActivityStore();
    await record(store, [event('$pageview', 'anon-2', 0, { title: 'Pricing', ...anonymous })]);
    const result = await record(store, [
      event('plan_selected', 'anon-2', 1, { plan: 'Pro', ...anonymous }),
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
      event('plan_selected', 'anon-3', 0, { plan: 'Pro', ...anonymous }),
      event('plan_selected', 'someone-else', 0, { plan: 'Team' }),
      event('$identify', 'user-3', 1, { $anon_distinct_id: 'anon-3' }),
    ]);
    expect(descriptions(store, 'user-3')).toEqual(['Plan selected (plan: Pro)', 'Signed in']);
    expect(descriptions(store, 'someone-else')).toEqual(['Plan selected (plan: Team)']);
  });
});

describe('recordActivity: merges that cannot be abused', () => {
  it('never moves the actions of an id that said it is a user', async () => {
    const store = new InMemoryActivityStore();
    await record(store, [event('invoice_paid', 'victim', 0)]);
    await record(store, [event('$identify', 'attacker', 1, { $anon_distinct_id: 'victim' })]);
    expect(descriptions(store, 'victim')).toEqual(['Invoice paid']);
    expect(descriptions(store, 'attacker')).toEqual(['Signed in']);
  });

  it('never moves an id that is itself the target of an $identify', async () => {
    const store = new InMemoryActivityStore();
    await record(store, [
      event('$pageview', 'anon-v', 0, { title: 'Pricing', ...anonymous }),
      event('$identify', 'victim', 1, { $anon_distinct_id: 'anon-v', ...anonymous }),
    ]);
    await record(store, [event('$identify', 'attacker', 2, { $anon_distinct_id: 'victim' })]);
    expect(descriptions(store, 'victim')).toEqual(['Viewed Pricing (/pricing)', 'Signed in']);
  });

  it('merges an id into one user at most, and later anonymous events follow only that one', async () => {
    const store = new InMemoryActivityStore();
    await record(store, [event('$pageview', 'anon-5', 0, { title: 'Pricing', ...anonymous })]);
    await record(store, [event('$identify', 'user-5', 1, { $anon_distinct_id: 'anon-5' })]);
    await record(store, [
      event('plan_selected', 'anon-5', 2, { plan: 'Pro', ...anonymous }),
      event('$identify', 'attacker', 3, { $anon_distinct_id: 'anon-5' }),
    ]);
    expect(descriptions(store, 'user-5')).toEqual([
      'Viewed Pricing (/pricing)',
      'Signed in',
      'Plan selected (plan: Pro)',
    ]);
    expect(descriptions(store, 'attacker')).toEqual(['Signed in']);
  });
});

describe('recordActivity and $create_alias (Segment alias, Amplitude device pairing)', () => {
  it('moves the anonymous history like $identify, without a line of its own', async () => {
    const store = new InMemoryActivityStore();
    await record(store, [event('$pageview', 'device-1', 0, { title: 'Pricing', ...anonymous })]);
    await record(store, [
      event('$create_alias', 'user-a', 1, { $anon_distinct_id: 'device-1' }),
      event('checkout_started', 'user-a', 2),
    ]);
    expect(descriptions(store, 'user-a')).toEqual(['Viewed Pricing (/pricing)', 'Checkout started']);
    expect(store.users.has('device-1')).toBe(false);
  });

  it('has the protections of $identify: never an identified id, and only verified under require', async () => {
    const store = new InMemoryActivityStore();
    await record(store, [event('invoice_paid', 'victim', 0)]);
    await record(store, [event('$create_alias', 'attacker', 1, { $anon_distinct_id: 'victim' })]);
    expect(descriptions(store, 'victim')).toEqual(['Invoice paid']);
    const require: IdentitySettings = { mode: 'require', isTrustedSource: false };
    await record(store, [event('$pageview', 'device-2', 2, { title: 'Pricing', ...anonymous })], require);
    await record(store, [event('$create_alias', 'user-b', 3, { $anon_distinct_id: 'device-2' })], require);
    expect(store.pending.get('device-2')).toHaveLength(1);
    await record(
      store,
      [{ ...event('$create_alias', 'user-b', 4, { $anon_distinct_id: 'device-2' }), verified: true }],
      require,
    );
    expect(descriptions(store, 'user-b')).toEqual(['Viewed Pricing (/pricing)']);
  });
});

describe('recordActivity with CAPTURE_IDENTITY=require', () => {
  const require: IdentitySettings = { mode: 'require', isTrustedSource: false };

  it('refuses unverified events that do not say they are anonymous', async () => {
    const store = new InMemoryActivityStore();
    const result = await record(
      store,
      [event('invoice_paid', 'user-6', 0), event('invoice_paid', 'user-6', 1, { verified: true })],
      require,
    );
    expect(result).toMatchObject({ stored: 0, unverified: 2 });
    expect(store.users.size).toBe(0);
  });

  it('stores verified events, and anonymous ones apart until a verified $identify moves them', async () => {
    const store = new InMemoryActivityStore();
    await record(store, [event('$pageview', 'anon-7', 0, { title: 'Pricing', ...anonymous })], require);
    expect(store.users.has('anon-7')).toBe(false);
    expect(store.pending.get('anon-7')).toHaveLength(1);
    await record(store, [{ ...event('$identify', 'user-7', 1, { $anon_distinct_id: 'anon-7' }) }], require);
    expect(store.pending.get('anon-7')).toHaveLength(1);
    await record(
      store,
      [{ ...event('$identify', 'user-7', 2, { $anon_distinct_id: 'anon-7' }), verified: true }],
      require,
    );
    expect(descriptions(store, 'user-7')).toEqual(['Viewed Pricing (/pricing)', 'Signed in']);
    expect(store.pending.has('anon-7')).toBe(false);
  });

  it("refuses an anonymous-looking event of a known user's id", async () => {
    const store = new InMemoryActivityStore();
    await record(store, [{ ...event('invoice_paid', 'user-8', 0), verified: true }], require);
    const result = await record(store, [event('refund_approved', 'user-8', 1, anonymous)], require);
    expect(result).toMatchObject({ stored: 0, unverified: 1 });
    expect(descriptions(store, 'user-8')).toEqual(['Invoice paid']);
    expect(store.pending.has('user-8')).toBe(false);
  });

  it('counts every event of the server key as verified', async () => {
    const store = new InMemoryActivityStore();
    await record(store, [event('invoice_paid', 'user-9', 0)], { mode: 'require', isTrustedSource: true });
    expect(descriptions(store, 'user-9')).toEqual(['Invoice paid']);
  });
});

describe('recordActivity with CAPTURE_IDENTITY=mark', () => {
  it('keeps unverified actions and marks them', async () => {
    const store = new InMemoryActivityStore();
    await record(
      store,
      [event('invoice_paid', 'user-10', 0), { ...event('refund_approved', 'user-10', 1), verified: true }],
      { mode: 'mark', isTrustedSource: false },
    );
    expect(
      store.users.get('user-10')?.map(({ description, verified }) => ({ description, verified })),
    ).toEqual([
      { description: 'Invoice paid', verified: false },
      { description: 'Refund approved', verified: undefined },
    ]);
  });
});

describe('recordActivity and the store', () => {
  /** Logs every call the use case makes, in the order the results come back. */
  class LoggingActivityStore extends InMemoryActivityStore {
    readonly log: string[] = [];

    override async append(user: UserRef, actions: Action[], options?: AppendOptions): Promise<AppendResult> {
      await new Promise((resolve) => setTimeout(resolve, 1));
      this.log.push(`append ${user.userId} ${actions.map((action) => action.description).join(', ')}`);
      return super.append(user, actions, options);
    }

    override async appendAll(appends: readonly UserAppend[]): Promise<AppendResult[]> {
      this.log.push(`appendAll ${appends.map(({ user }) => user.userId).join(', ')}`);
      return super.appendAll(appends);
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
      'appendAll ann, bob',
    ]);
    expect(result).toEqual({
      stored: 5,
      dropped: 0,
      unverified: 0,
      users: 2,
      duplicates: 0,
      expired: 0,
      newUsers: 2,
    });
  });

  it('appends every user in one call, checks only the conversations it answered, and asks for the open ones', async () => {
    const store = new LoggingActivityStore();
    store.conversations.set('ann', ['conv-1', 'conv-2']);
    store.conversations.set('bob', ['conv-3']);
    const requested: string[] = [];
    const status = { 'conv-1': 'open', 'conv-2': 'closed', 'conv-3': 'open' } as const;
    await recordActivity('default', [event('a', 'ann', 0), event('b', 'bob', 0), event('c', 'cyd', 0)], {
      activity: store,
      links: {
        conversationsOf: async () => {
          throw new Error('the append answers the conversations; nothing asks for them again');
        },
        get: async (conversationId) => {
          store.log.push(`link ${conversationId}`);
          const state = status[conversationId as keyof typeof status];
          return {
            conversationId,
            productId: 'default',
            userId: 'ann',
            appId: null,
            sessionId: null,
            conversationCreatedAt: null,
            linkedAt: '',
            status: state,
          };
        },
      },
      requestDelivery: async (conversationId) => {
        requested.push(conversationId);
      },
    });
    expect(store.log.filter((line) => !line.startsWith('append '))).toEqual([
      'appendAll ann, bob, cyd',
      'link conv-1',
      'link conv-2',
      'link conv-3',
    ]);
    expect(requested).toEqual(['conv-1', 'conv-3']);
  });
});
