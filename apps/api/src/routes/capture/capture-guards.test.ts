import { randomUUID } from 'node:crypto';
import { setImmediate as setImmediatePromise } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { RedisKeys } from '@threadline/redis-store';
import { type LocalRedis, startLocalRedis } from '@threadline/test-helpers';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../../test/test-api.js';
import { captureClientOf, SlicedDescriber } from './capture-guards.js';

const apiKey = 'phc_test_key';
let userCounter = 0;

function newUser(label: string): string {
  userCounter += 1;
  return `${label}-${userCounter}-${randomUUID().slice(0, 8)}`;
}

function click(distinctId: string, text: string, extra: Record<string, unknown> = {}) {
  return {
    event: '$autocapture',
    uuid: randomUUID(),
    properties: {
      distinct_id: distinctId,
      $event_type: 'click',
      $current_url: 'https://app.acme.io/billing',
      $pathname: '/billing',
      $elements_chain: `button.btn:nth-child="1"text="${text}"`,
      ...extra,
    },
    timestamp: new Date().toISOString(),
  };
}

function batchOf(events: unknown[], headers: Record<string, string> = {}): InjectOptions {
  return {
    method: 'POST',
    url: '/batch/',
    headers: { 'content-type': 'application/json', ...headers },
    payload: JSON.stringify({ api_key: apiKey, batch: events }),
  };
}

async function send(api: TestApi, options: InjectOptions): Promise<LightMyRequestResponse> {
  return (await api.app.inject(options)) as LightMyRequestResponse;
}

async function descriptions(api: TestApi, userId: string): Promise<string[]> {
  const actions = await api.composed.deps.activity.listRecent({ productId: 'default', userId }, 5000);
  return actions.map((action) => action.description);
}

async function refusedCount(api: TestApi, reason: string): Promise<number> {
  const metric = await api.composed.deps.metrics.eventsRefused.get();
  return metric.values.find((value) => value.labels.reason === reason)?.value ?? 0;
}

describe('capture: retried events are stored once', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(async () => api.close());

  it('a batch sent twice (a client retry) gives one action per event; a new uuid is a new action', async () => {
    const user = newUser('retry');
    const events = [click(user, 'Pay now'), click(user, 'Pay now'), click(user, 'Cancel')];
    expect((await send(api, batchOf(events))).statusCode).toBe(200);
    expect((await send(api, batchOf(events))).statusCode).toBe(200);
    // The same batch again, split differently and with one event of a later retry on its own.
    expect((await send(api, batchOf([events[2]]))).statusCode).toBe(200);
    expect(await descriptions(api, user)).toEqual([
      'Clicked "Pay now" button on /billing',
      'Clicked "Pay now" button on /billing',
      'Clicked "Cancel" button on /billing',
    ]);
    expect(await refusedCount(api, 'duplicate')).toBeGreaterThanOrEqual(4);

    expect((await send(api, batchOf([click(user, 'Pay now')]))).statusCode).toBe(200);
    expect(await descriptions(api, user)).toHaveLength(4);
  });

  it('an event older than the retention (a very late retry) is answered 200, not stored, counted expired', async () => {
    const user = newUser('expired');
    const tooOld = new Date(Date.now() - (api.config.activity.retentionSeconds + 60) * 1000).toISOString();
    const duplicatesBefore = await refusedCount(api, 'duplicate');
    const expiredBefore = await refusedCount(api, 'expired');
    const events = [{ ...click(user, 'Pay now'), timestamp: tooOld }, click(user, 'Cancel')];
    expect((await send(api, batchOf(events))).statusCode).toBe(200);
    expect(await descriptions(api, user)).toEqual(['Clicked "Cancel" button on /billing']);
    expect(await refusedCount(api, 'expired')).toBe(expiredBefore + 1);
    expect(await refusedCount(api, 'duplicate')).toBe(duplicatesBefore);
  });

  it('events without a uuid are all kept (nothing to tell a retry from a repeat)', async () => {
    const user = newUser('no-uuid');
    const { uuid: _uuid, ...event } = click(user, 'Refresh');
    expect((await send(api, batchOf([event, event]))).statusCode).toBe(200);
    expect(await descriptions(api, user)).toHaveLength(2);
  });

  it("an anonymous visitor's stream expires sooner than an identified user's", async () => {
    const anonymous = newUser('anon');
    const known = newUser('known');
    await send(api, batchOf([click(anonymous, 'Pricing', { $is_identified: false, $device_id: anonymous })]));
    await send(api, batchOf([click(known, 'Pricing', { $is_identified: true })]));
    const redis = new Redis(api.config.redisUrl);
    const keys = new RedisKeys(api.config.prefix);
    const anonymousTtl = await redis.ttl(keys.actions('default', anonymous));
    const knownTtl = await redis.ttl(keys.actions('default', known));
    expect(anonymousTtl).toBeGreaterThan(0);
    expect(anonymousTtl).toBeLessThanOrEqual(api.config.activity.anonymousRetentionSeconds);
    expect(knownTtl).toBeGreaterThan(api.config.activity.anonymousRetentionSeconds);

    // Once identified, the stream is kept the whole retention; an anonymous-looking event later
    // never shortens it again.
    await send(api, batchOf([click(anonymous, 'Sign up', { $is_identified: true })]));
    expect(await redis.ttl(keys.actions('default', anonymous))).toBeGreaterThan(
      api.config.activity.anonymousRetentionSeconds,
    );
    await send(api, batchOf([click(anonymous, 'Back', { $is_identified: false })]));
    expect(await redis.ttl(keys.actions('default', anonymous))).toBeGreaterThan(
      api.config.activity.anonymousRetentionSeconds,
    );
    await redis.quit();
  });
});

describe('capture: per-client limits of the public key', () => {
  let api: TestApi;
  afterEach(async () => api?.close());

  it('429 with Retry-After past the events a client may send in a minute, counted by reason', async () => {
    api = await startTestApi({ CAPTURE_IP_EVENTS_PER_MINUTE: '5' });
    const user = newUser('busy');
    expect((await send(api, batchOf([1, 2, 3].map((n) => click(user, `Step ${n}`))))).statusCode).toBe(200);
    const over = await send(api, batchOf([4, 5, 6].map((n) => click(user, `Step ${n}`))));
    expect(over.statusCode).toBe(429);
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(over.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(over.json()).toMatchObject({ error: 'ip_events' });
    // Refused before its body is read: even a malformed body gets the 429 now.
    const refusedEarly = await send(api, { ...batchOf([]), payload: '{not json' });
    expect(refusedEarly.statusCode).toBe(429);
    expect(await descriptions(api, user)).toEqual([
      'Clicked "Step 1" button on /billing',
      'Clicked "Step 2" button on /billing',
      'Clicked "Step 3" button on /billing',
    ]);
    expect(await refusedCount(api, 'ip_events')).toBe(2);
  });

  it('429 once a client has created more distinct ids in an hour than allowed; known users still counted once', async () => {
    api = await startTestApi({ CAPTURE_IP_NEW_USERS_PER_HOUR: '3' });
    const known = newUser('regular');
    for (let request = 0; request < 5; request++) {
      expect((await send(api, batchOf([click(known, `Again ${request}`)]))).statusCode).toBe(200);
    }
    const fresh = [newUser('fresh'), newUser('fresh')];
    expect(await send(api, batchOf(fresh.map((id) => click(id, 'Hi'))))).toMatchObject({ statusCode: 200 });
    const refused = await send(api, batchOf([click(newUser('fresh'), 'Hi')]));
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({ error: 'ip_new_users' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(60);
  });

  it('counts refused bodies too: a client sending gzip bombs is refused before decoding once over its minute', async () => {
    api = await startTestApi({ CAPTURE_IP_EVENTS_PER_MINUTE: '2500' });
    const bomb = { ...batchOf([]), payload: gzipSync(Buffer.alloc(6 * 1024 * 1024, 32)) };
    const statuses: number[] = [];
    for (let request = 0; request < 5; request++) statuses.push((await send(api, bomb)).statusCode);
    // Each bomb inflated to the 5 MiB cap counts as a full batch of 1,000 events.
    expect(statuses).toEqual([413, 413, 413, 429, 429]);
    expect(await refusedCount(api, 'ip_events')).toBe(2);
  });

  it('413 for one request carrying the events of more users than allowed', async () => {
    api = await startTestApi({ CAPTURE_MAX_USERS_PER_REQUEST: '2' });
    const users = [newUser('many'), newUser('many'), newUser('many')];
    const response = await send(api, batchOf(users.map((id) => click(id, 'Hi'))));
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ error: 'too_many_users' });
    for (const user of users) expect(await descriptions(api, user)).toEqual([]);
    expect((await send(api, batchOf(users.slice(0, 2).map((id) => click(id, 'Hi'))))).statusCode).toBe(200);
  });

  it('X-Forwarded-For is believed only from the proxies TRUST_PROXY names', async () => {
    api = await startTestApi({ CAPTURE_IP_EVENTS_PER_MINUTE: '2' });
    const user = newUser('spoof');
    const from = (ip: string) => ({ 'x-forwarded-for': ip });
    expect(
      (await send(api, batchOf([click(user, 'a'), click(user, 'b')], from('203.0.113.1')))).statusCode,
    ).toBe(200);
    // Without TRUST_PROXY a forged header does not buy a fresh quota.
    expect((await send(api, batchOf([click(user, 'c')], from('203.0.113.2')))).statusCode).toBe(429);
    await api.close();

    api = await startTestApi({ CAPTURE_IP_EVENTS_PER_MINUTE: '2', TRUST_PROXY: '127.0.0.1' });
    expect(
      (await send(api, batchOf([click(user, 'a'), click(user, 'b')], from('203.0.113.1')))).statusCode,
    ).toBe(200);
    expect((await send(api, batchOf([click(user, 'c')], from('203.0.113.1')))).statusCode).toBe(429);
    expect((await send(api, batchOf([click(user, 'd')], from('203.0.113.2')))).statusCode).toBe(200);
  });

  it('a request past its CPU budget stores what it described and answers 413; halved batches (posthog-node) complete it once', async () => {
    api = await startTestApi({
      CAPTURE_CPU_BUDGET_MS: '5',
      CAPTURE_IP_EVENTS_PER_MINUTE: '1000000',
      ACTIVITY_MAX_ACTIONS: '5000',
    });
    const user = newUser('heavy');
    const filler = 'x'.repeat(4000);
    const events = Array.from({ length: 1000 }, (_, index) =>
      click(user, `Row ${index} ${filler.slice(index % 7)}`),
    );
    // Gzip, as posthog-js sends it: 4 MB of events in a body under the 1 MiB limit.
    const gzipped = (batch: unknown[]) => ({
      ...batchOf([]),
      payload: gzipSync(JSON.stringify({ api_key: apiKey, batch })),
    });
    const first = await send(api, gzipped(events));
    expect(first.statusCode).toBe(413);
    expect(first.json()).toMatchObject({ error: 'cpu_budget' });
    const storedAtFirst = (await descriptions(api, user)).length;
    expect(storedAtFirst).toBeGreaterThan(0);
    expect(storedAtFirst).toBeLessThan(1000);

    const pending = [events];
    let requests = 1;
    while (pending.length > 0 && requests < 2000) {
      const batch = pending.pop() as typeof events;
      const response = await send(api, gzipped(batch));
      requests += 1;
      if (response.statusCode === 413) {
        pending.push(batch.slice(batch.length / 2), batch.slice(0, batch.length / 2));
      } else {
        expect(response.statusCode).toBe(200);
      }
    }
    expect(pending).toEqual([]);
    const stored = await descriptions(api, user);
    expect(stored).toHaveLength(1000);
    expect(new Set(stored).size).toBe(1000);
    expect(await refusedCount(api, 'cpu_budget')).toBeGreaterThan(0);
  });
});

describe('capture while Redis is unreachable or full', () => {
  let redis: LocalRedis;
  let api: TestApi;
  beforeAll(async () => {
    redis = await startLocalRedis();
  });
  afterEach(async () => api?.close());
  afterAll(async () => redis.stop());

  it('503 with Retry-After at once while Redis is down, and 200 again by itself once it is back', async () => {
    api = await startTestApi({ REDIS_URL: redis.url });
    const user = newUser('outage');
    expect((await send(api, batchOf([click(user, 'Before')]))).statusCode).toBe(200);

    await redis.kill();
    // Wait for the client to notice (it does on the socket's close).
    for (let tries = 0; tries < 100 && api.composed.deps.isRedisConnected(); tries++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const started = Date.now();
    const during = await send(api, batchOf([click(user, 'During')]));
    const took = Date.now() - started;
    expect(during.statusCode).toBe(503);
    expect(during.headers['retry-after']).toBe('1');
    expect(during.json()).toMatchObject({ error: 'redis_unavailable' });
    // Not a timing assertion on speed as such: a 503 that waited for a connect timeout would take
    // seconds (connectTimeout is 5 s).
    expect(took).toBeLessThan(1000);

    await redis.restart();
    let after: LightMyRequestResponse | undefined;
    for (let tries = 0; tries < 100; tries++) {
      after = await send(api, batchOf([click(user, 'After')]));
      if (after.statusCode === 200) break;
      expect(after.statusCode).toBe(503);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(after?.statusCode).toBe(200);
    expect(await descriptions(api, user)).toEqual([
      'Clicked "Before" button on /billing',
      'Clicked "After" button on /billing',
    ]);
  });

  it('503 for capture above REDIS_MEMORY_HIGH_WATER, while reads go on; 200 once there is room', async () => {
    api = await startTestApi({ REDIS_URL: redis.url, REDIS_MEMORY_HIGH_WATER: '0.9' });
    const admin = new Redis(redis.url);
    try {
      const user = newUser('full');
      expect((await send(api, batchOf([click(user, 'Fits')]))).statusCode).toBe(200);
      const info = await admin.info('memory');
      const used = Number(/used_memory:(\d+)/.exec(info)?.[1]);
      await admin.config('SET', 'maxmemory', String(Math.ceil(used / 0.95)));

      let refused: LightMyRequestResponse | undefined;
      for (let tries = 0; tries < 50; tries++) {
        refused = await send(api, batchOf([click(user, 'Too much')]));
        if (refused.statusCode === 503) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(refused?.statusCode).toBe(503);
      expect(refused?.json()).toMatchObject({ error: 'redis_memory_high' });
      expect(Number(refused?.headers['retry-after'])).toBeGreaterThan(0);
      const metrics = await api.composed.deps.metrics.registry.metrics();
      expect(metrics).toMatch(/threadline_redis_memory_ratio\{[^}]*\} 0\.9\d*/);
      // Reads and health go on.
      expect((await send(api, { method: 'GET', url: '/readyz' })).statusCode).toBe(200);
      expect(await descriptions(api, user)).toContain('Clicked "Fits" button on /billing');

      await admin.config('SET', 'maxmemory', '0');
      let accepted: LightMyRequestResponse | undefined;
      for (let tries = 0; tries < 50; tries++) {
        accepted = await send(api, batchOf([click(user, 'Room again')]));
        if (accepted.statusCode === 200) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(accepted?.statusCode).toBe(200);
    } finally {
      await admin.config('SET', 'maxmemory', '0');
      await admin.quit();
    }
  });
});

describe('captureClientOf', () => {
  it('counts IPv4 addresses one by one and IPv6 by /64', () => {
    expect(captureClientOf('203.0.113.7')).toBe('203.0.113.7');
    expect(captureClientOf('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(captureClientOf('2001:db8:0:1:aaaa::1')).toBe('2001:db8:0:1::/64');
    expect(captureClientOf('2001:0db8:0000:0001:ffff:ffff:ffff:ffff')).toBe('2001:db8:0:1::/64');
    expect(captureClientOf('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(captureClientOf('::1')).toBe('0:0:0:0::/64');
  });
});

describe('SlicedDescriber', () => {
  it('describes the requests in flight round robin, one slice per turn of the loop, each within its budget', async () => {
    let clock = 0;
    const order: string[] = [];
    const describer = new SlicedDescriber(6, () => clock);
    const cost = (label: string) => (n: number) => {
      clock += 2;
      order.push(`${label}${n}`);
      return n % 2 === 0 ? n : null;
    };
    const other = setImmediatePromise()
      .then(() => setImmediatePromise())
      .then(() => order.push('other work'));
    const [heavy, small] = await Promise.all([
      describer.map([1, 2, 3, 4, 5, 6, 7, 8, 9], cost('h'), 9),
      describer.map([1, 2], cost('s'), 100),
    ]);
    await other;
    // A slice of 6 ms runs describes that start within it, round robin; work queued for the next
    // turn of the loop runs between two slices.
    expect(order).toEqual(['h1', 's1', 'h2', 's2', 'other work', 'h3', 'h4', 'h5']);
    expect(small.count).toBe(2);
    expect([...small.results]).toEqual([
      [1, null],
      [2, 2],
    ]);
    // 2 ms each: past 9 ms after the fifth.
    expect(heavy.count).toBe(5);
    expect(heavy.results.get(4)).toBe(4);
  });

  it('answers an empty request at once', async () => {
    expect(await new SlicedDescriber(5).map([], () => null, 10)).toEqual({
      results: new Map(),
      count: 0,
    });
  });
});
