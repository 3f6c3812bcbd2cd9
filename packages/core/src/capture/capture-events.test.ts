import { describe, expect, it } from 'vitest';
import type { CapturedEvent } from '../actions/action.js';
import type { CaptureQuota, CaptureQuotaDecision } from '../ports/capture-quota.js';
import type { ReadCapture } from '../ports/capture-reader.js';
import type { WorkSlicer } from '../ports/work-slicer.js';
import {
  type CaptureEventsDependencies,
  captureEvents,
  chargeRefusedRequest,
  storeCapturedBatch,
} from './capture-events.js';
import { InMemoryActivityStore } from './in-memory-activity-store.test-support.js';
import { RecentRefusals } from './recent-refusals.js';

const at = new Date('2026-03-02T10:00:00.000Z');

function event(distinctId: string, name = 'invoice_paid', uuid?: string): CapturedEvent {
  return { event: name, distinctId, timestamp: at, properties: {}, ...(uuid ? { uuid } : {}) };
}

/** A client's minute in memory: `limit` events, then refusals for 30 s; every call recorded. */
class CountingQuota implements CaptureQuota {
  readonly taken: number[] = [];
  readonly newUsers: number[] = [];
  private used = 0;
  constructor(private readonly limit = 1000) {}
  async takeEvents(_client: string, events: number): Promise<CaptureQuotaDecision> {
    this.taken.push(events);
    this.used += events;
    return this.used > this.limit
      ? { isAllowed: false, reason: 'ip_events', retryAfterMs: 30_000 }
      : { isAllowed: true };
  }
  async addNewUsers(_client: string, users: number): Promise<CaptureQuotaDecision> {
    this.newUsers.push(users);
    return { isAllowed: true };
  }
}

/** Does the work at once, stopping after `budget` items (the budget counted in items here). */
function inlineSlicer(budget = Number.POSITIVE_INFINITY): WorkSlicer {
  return {
    async map(items, work) {
      const results = new Map();
      for (const item of items.slice(0, budget)) results.set(item, work(item));
      return { results, count: results.size };
    },
  };
}

function setup(read: ReadCapture | (() => ReadCapture), overrides: Partial<CaptureEventsDependencies> = {}) {
  const reads: number[] = [];
  const quota = new CountingQuota();
  const activity = new InMemoryActivityStore();
  const requested: string[] = [];
  const dependencies: CaptureEventsDependencies = {
    reader: {
      async read() {
        reads.push(1);
        return typeof read === 'function' ? read() : read;
      },
    },
    quota,
    refusals: new RecentRefusals(),
    storage: { isConnected: () => true, isAboveHighWater: false },
    slicer: inlineSlicer(),
    activity,
    links: { conversationsOf: async () => [], get: async () => null },
    requestDelivery: async (conversationId) => void requested.push(conversationId),
    settings: {
      productId: 'shop',
      identity: 'off',
      maxUsersPerRequest: 2,
      cpuBudgetMs: 100,
      maxEventsPerBatch: 1000,
    },
    now: () => at,
    ...overrides,
  };
  const capture = () =>
    captureEvents({ body: new Uint8Array([1]), query: {}, client: '203.0.113.9' }, dependencies);
  return { capture, reads, quota, activity, requested, dependencies };
}

const accepted = (
  events: CapturedEvent[],
  key: 'public' | 'server' = 'public',
  skipped = 0,
): ReadCapture => ({
  ok: true,
  key,
  events,
  skipped,
});

describe('captureEvents', () => {
  it('stores a request, counting its events and new ids, and says what happened to each event', async () => {
    const { capture, quota, activity } = setup(
      accepted(
        [event('ann', 'invoice_paid', 'e-1'), event('ann', '$feature_flag_called'), event('bob')],
        'public',
        1,
      ),
    );
    expect(await capture()).toEqual({
      kind: 'accepted',
      counts: { stored: 2, dropped: 1, duplicates: 0, expired: 0, unverified: 0, skipped: 1, overBudget: 0 },
    });
    expect(quota.taken).toEqual([3]);
    expect(quota.newUsers).toEqual([2]);
    expect(activity.users.get('ann')?.map((action) => action.description)).toEqual(['Invoice paid']);
  });

  it.each([
    [{ isConnected: () => false, isAboveHighWater: false }, 'redis_unavailable', 1000],
    [{ isConnected: () => true, isAboveHighWater: true }, 'redis_memory_high', 30_000],
  ] as const)(
    'answers 503 before reading the body while storage is out (%#)',
    async (storage, reason, retryAfterMs) => {
      const { capture, reads } = setup(accepted([event('ann')]), { storage });
      expect(await capture()).toMatchObject({ kind: 'refused', reason, retryAfterMs });
      expect(reads).toEqual([]);
    },
  );

  it('charges what an unreadable body or a wrong key cost: 100 events, a full batch when too large', async () => {
    const malformed = setup({ ok: false, code: 'malformed', message: 'body is empty' });
    expect(await malformed.capture()).toMatchObject({
      kind: 'refused',
      reason: 'malformed',
      message: 'body is empty',
    });
    const tooLarge = setup({ ok: false, code: 'too_large', message: 'inflates past 5 MiB' });
    expect(await tooLarge.capture()).toMatchObject({ reason: 'too_large' });
    const wrongKey = setup({ ok: true, key: null, events: [event('ann')], skipped: 0 });
    expect(await wrongKey.capture()).toMatchObject({ reason: 'unknown_api_key' });
    expect([malformed.quota.taken, tooLarge.quota.taken, wrongKey.quota.taken]).toEqual([
      [100],
      [1000],
      [100],
    ]);
    expect(wrongKey.activity.users.size).toBe(0);
  });

  it('caps the users of one public-key request; the server key is neither capped nor counted', async () => {
    const events = [event('ann'), event('bob'), event('cyd')];
    const capped = setup(accepted(events));
    expect(await capped.capture()).toMatchObject({ kind: 'refused', reason: 'too_many_users' });
    expect(capped.quota.taken).toEqual([3]);
    expect(capped.activity.users.size).toBe(0);
    const backend = setup(accepted(events, 'server'));
    expect(await backend.capture()).toMatchObject({ kind: 'accepted', counts: { stored: 3 } });
    expect(backend.quota.taken).toEqual([]);
    expect(backend.quota.newUsers).toEqual([]);
  });

  it('refuses a client over its minute, stores nothing, and refuses it again without reading', async () => {
    const many = Array.from({ length: 1001 }, () => event('ann'));
    const { capture, reads, activity } = setup(accepted(many));
    expect(await capture()).toMatchObject({ kind: 'refused', reason: 'ip_events', retryAfterMs: 30_000 });
    expect(activity.users.size).toBe(0);
    const again = await capture();
    expect(again).toMatchObject({ kind: 'refused', reason: 'ip_events' });
    expect(reads).toHaveLength(1);
  });

  it('stores what was described within the CPU budget and refuses the rest as cpu_budget', async () => {
    const { capture, activity } = setup(accepted([event('ann', 'a'), event('ann', 'b'), event('ann', 'c')]), {
      slicer: inlineSlicer(2),
    });
    expect(await capture()).toMatchObject({
      kind: 'refused',
      reason: 'cpu_budget',
      counts: { stored: 2, overBudget: 1 },
    });
    expect(activity.users.get('ann')?.map((action) => action.description)).toEqual(['A', 'B']);
  });

  it('uses the descriptions a reader made off the event loop, and refuses the events it did not reach', async () => {
    const described = {
      at: at.toISOString(),
      type: 'custom' as const,
      description: 'Described by the reader',
    };
    const { capture, activity } = setup(
      {
        ok: true,
        key: 'public',
        events: [event('ann', 'a'), event('ann', '$pageleave'), event('ann', 'c')],
        skipped: 0,
        described: [described, null],
      },
      { slicer: { map: () => Promise.reject(new Error('the reader described these already')) } },
    );
    expect(await capture()).toMatchObject({
      kind: 'refused',
      reason: 'cpu_budget',
      counts: { stored: 1, dropped: 1, overBudget: 1 },
    });
    expect(activity.users.get('ann')?.map((action) => action.description)).toEqual([
      'Described by the reader',
    ]);
  });
});

describe('storeCapturedBatch (events a source decoded itself)', () => {
  const client = '198.51.100.7';
  const required = (dependencies: CaptureEventsDependencies): CaptureEventsDependencies => ({
    ...dependencies,
    settings: { ...dependencies.settings, identity: 'require' },
  });

  it('stores a webhook batch without the per-IP limits or the users cap', async () => {
    const { dependencies, quota, activity } = setup(accepted([]));
    const outcome = await storeCapturedBatch(
      { key: 'webhook', events: [event('ann', 'a', 'w-1'), event('bob'), event('cyd')], skipped: 2 },
      client,
      dependencies,
    );
    expect(outcome).toEqual({
      kind: 'accepted',
      counts: { stored: 3, dropped: 0, duplicates: 0, expired: 0, unverified: 0, skipped: 2, overBudget: 0 },
    });
    expect([quota.taken, quota.newUsers]).toEqual([[], []]);
    expect([...activity.users.keys()].sort()).toEqual(['ann', 'bob', 'cyd']);
    expect(dependencies.refusals.standing(client)).toBeNull();
  });

  it('does not take a webhook as a trusted source: with require, only proven events are stored', async () => {
    const { dependencies, activity } = setup(accepted([]));
    const events = [event('ann', 'a'), { ...event('bob', 'b'), verified: true }];
    const outcome = await storeCapturedBatch(
      { key: 'webhook', events, skipped: 0 },
      client,
      required(dependencies),
    );
    expect(outcome).toMatchObject({ kind: 'accepted', counts: { stored: 1, unverified: 1 } });
    expect([...activity.users.keys()]).toEqual(['bob']);
    const backend = setup(accepted([]));
    const fromServer = await storeCapturedBatch(
      { key: 'server', events: [event('ann', 'a')], skipped: 0 },
      client,
      required(backend.dependencies),
    );
    expect(fromServer).toMatchObject({ kind: 'accepted', counts: { stored: 1, unverified: 0 } });
  });

  it('counts and caps a public batch as captureEvents does, and refuses a batch with no key', async () => {
    const { dependencies, quota, activity } = setup(accepted([]));
    const capped = await storeCapturedBatch(
      { key: 'public', events: [event('ann'), event('bob'), event('cyd')], skipped: 0 },
      client,
      dependencies,
    );
    expect(capped).toMatchObject({ kind: 'refused', reason: 'too_many_users' });
    const keyless = await storeCapturedBatch(
      { key: null, events: [event('ann')], skipped: 0 },
      client,
      dependencies,
    );
    expect(keyless).toMatchObject({ kind: 'refused', reason: 'unknown_api_key', counts: { stored: 0 } });
    expect(quota.taken).toEqual([3, 100]);
    expect(activity.users.size).toBe(0);
    await storeCapturedBatch({ key: 'public', events: [event('ann')], skipped: 0 }, client, dependencies);
    expect(quota.taken).toEqual([3, 100, 1]);
    expect(quota.newUsers).toEqual([1]);
  });
});

describe("storeCapturedBatch with an installed workspace's capture key", () => {
  const client = '203.0.113.9';
  it("records into the workspace's product as a public key; an unknown key is refused and charged", async () => {
    const { dependencies, quota, activity } = setup(accepted([]), {
      workspaceCaptureKeys: {
        productOfCaptureKey: async (key) => (key === 'tlc_acme' ? 'intercom-acme' : null),
      },
    });
    const products: string[] = [];
    const appendAll = activity.appendAll.bind(activity);
    activity.appendAll = async (appends) => {
      products.push(...appends.map((append) => append.user.productId));
      return appendAll(appends);
    };
    const stored = await storeCapturedBatch(
      { key: null, presentedKey: 'tlc_acme', events: [event('ann')], skipped: 0 },
      client,
      dependencies,
    );
    expect(stored).toMatchObject({ kind: 'accepted', counts: { stored: 1 } });
    expect(products).toEqual(['intercom-acme']);
    // Counted and capped as the public key is.
    expect(quota.taken).toEqual([1]);
    const capped = await storeCapturedBatch(
      { key: null, presentedKey: 'tlc_acme', events: [event('a'), event('b'), event('c')], skipped: 0 },
      client,
      dependencies,
    );
    expect(capped).toMatchObject({ kind: 'refused', reason: 'too_many_users' });
    const unknown = await storeCapturedBatch(
      { key: null, presentedKey: 'tlc_other', events: [event('ann')], skipped: 0 },
      client,
      dependencies,
    );
    expect(unknown).toMatchObject({ kind: 'refused', reason: 'unknown_api_key' });
    expect(quota.taken).toEqual([1, 3, 100]);
    expect(products).toEqual(['intercom-acme']);
  });

  it('refuses a presented key when no workspaces are installed', async () => {
    const { dependencies } = setup(accepted([]));
    const outcome = await storeCapturedBatch(
      { key: null, presentedKey: 'tlc_acme', events: [event('ann')], skipped: 0 },
      client,
      dependencies,
    );
    expect(outcome).toMatchObject({ kind: 'refused', reason: 'unknown_api_key' });
  });
});

describe('chargeRefusedRequest', () => {
  it('charges 100 events by default and remembers the refusal it earns', async () => {
    const { dependencies, quota } = setup(accepted([]));
    for (let request = 0; request < 10; request++) await chargeRefusedRequest('203.0.113.9', dependencies);
    expect(dependencies.refusals.standing('203.0.113.9')).toBeNull();
    await chargeRefusedRequest('203.0.113.9', dependencies, 5);
    expect(quota.taken).toEqual([...Array(10).fill(100), 5]);
    expect(dependencies.refusals.standing('203.0.113.9')).toMatchObject({ reason: 'ip_events' });
  });
});
