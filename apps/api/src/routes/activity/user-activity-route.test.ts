import { type Action, activityNotice, issueAccessKey } from '@threadline/core';
import { RedisKeys, RedisRateLimiter } from '@threadline/redis-store';
import { testRedisUrl } from '@threadline/test-helpers';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../../test/test-api.js';
import { buildServer, type ThreadlineServer } from '../../build-server.js';

const envKeyShop = 'act_shop_key_0123456789';
const envKeyCrm = 'act_crm_key_0123456789ab';
let api: TestApi;
let cliKeyShop: string;
let revokedKey: string;
let redis: Redis;

/** Whole seconds, an hour ago: within the retention, which goes by event time. */
const start = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;

function actions(count: number, label: string): Action[] {
  return Array.from({ length: count }, (_, index) => ({
    at: new Date(start + index * 1000).toISOString(),
    type: index === count - 1 ? 'error' : 'pageview',
    description: `${label} ${index + 1}`,
    page: `/step-${index + 1}`,
  }));
}

function get(url: string, key?: string, server: ThreadlineServer = api) {
  return server.app.inject({
    method: 'GET',
    url,
    headers: key === undefined ? {} : { authorization: `Bearer ${key}` },
  });
}

beforeAll(async () => {
  api = await startTestApi({ MCP_API_KEYS: `${envKeyShop}:shop,${envKeyCrm}:crm` });
  redis = new Redis(testRedisUrl());
  const deps = { keys: api.composed.deps.accessKeys, now: () => new Date() };
  cliKeyShop = (await issueAccessKey('shop', null, deps)).key;
  const revoked = await issueAccessKey('shop', null, deps);
  await api.composed.deps.accessKeys.revoke(revoked.record.id);
  revokedKey = revoked.key;
  await api.composed.deps.activity.append({ productId: 'shop', userId: 'user 8812' }, actions(220, 'shop'));
  await api.composed.deps.activity.append({ productId: 'crm', userId: 'user 8812' }, actions(2, 'crm'));
});
afterAll(async () => {
  redis.disconnect();
  await api.close();
});

describe('GET /v1/users/:productId/:userId/activity', () => {
  const path = '/v1/users/shop/user%208812/activity';

  it('returns the newest 50 actions oldest first, with the MCP tool output shape', async () => {
    const response = await get(path, envKeyShop);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.product_id).toBe('shop');
    expect(body.user_id).toBe('user 8812');
    expect(body.actions).toHaveLength(50);
    expect(body.actions[0]).toEqual({
      at: new Date(start + 170_000).toISOString(),
      type: 'pageview',
      description: 'shop 171',
      page: '/step-171',
    });
    expect(body.actions.at(-1)).toMatchObject({ type: 'error', description: 'shop 220' });
  });

  it('honours ?limit= from 1 to 200', async () => {
    const one = await get(`${path}?limit=1`, cliKeyShop);
    expect(one.json().actions.map((action: { description: string }) => action.description)).toEqual([
      'shop 220',
    ]);
    const most = await get(`${path}?limit=200`, cliKeyShop);
    expect(most.json().actions).toHaveLength(200);
    expect(most.json().actions[0].description).toBe('shop 21');
  });

  it('orders by event time, whatever order the requests arrived in: limit is the newest by event time', async () => {
    const user = { productId: 'shop', userId: 'arrived newest first' };
    const steps = actions(6, 'step');
    // Three appends (requests) of two steps each, newest first.
    for (const pair of [steps.slice(4, 6), steps.slice(2, 4), steps.slice(0, 2)])
      await api.composed.deps.activity.append(user, pair);
    const read = async (query: string) =>
      (await get(`/v1/users/shop/arrived%20newest%20first/activity${query}`, envKeyShop))
        .json()
        .actions.map((action: { description: string }) => action.description);
    expect(await read('')).toEqual(['step 1', 'step 2', 'step 3', 'step 4', 'step 5', 'step 6']);
    expect(await read('?limit=2')).toEqual(['step 5', 'step 6']);
  });

  it('answers 400 to a limit that is not a whole number from 1 to 200', async () => {
    for (const limit of ['0', '201', '-1', '2.5', 'ten', '1e2']) {
      const response = await get(`${path}?limit=${limit}`, envKeyShop);
      expect(response.statusCode, limit).toBe(400);
      expect(response.json()).toEqual({
        error: 'invalid_request',
        message: 'limit must be a whole number from 1 to 200 (default 50)',
      });
    }
  });

  it('answers an unknown user with an empty list', async () => {
    const response = await get('/v1/users/shop/nobody/activity', envKeyShop);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      notice: activityNotice,
      product_id: 'shop',
      user_id: 'nobody',
      actions: [],
      conversation: null,
    });
  });

  it('says which conversation of the user is open, else which is closed or snoozed', async () => {
    const links = api.composed.deps.links;
    const user = { productId: 'shop', userId: 'user 8812' };
    const link = (conversationId: string, linkedAt: string) => ({
      ...user,
      conversationId,
      appId: null,
      sessionId: null,
      conversationCreatedAt: 1_760_000_000,
      linkedAt,
      status: 'open' as const,
    });
    await links.create(link('conv-older', '2026-11-01T09:00:00.000Z'), null);
    await links.create(link('conv-newer', '2026-11-02T09:00:00.000Z'), null);
    const conversationOf = async () => (await get(`${path}?limit=1`, envKeyShop)).json().conversation;
    expect(await conversationOf()).toEqual({ id: 'conv-newer', state: 'open' });
    await links.setLifecycle('conv-newer', await links.lifecycle('conv-newer'), {
      state: 'closed',
      at: 1_760_000_100,
    });
    expect(await conversationOf()).toEqual({ id: 'conv-older', state: 'open' });
    await links.setLifecycle('conv-older', await links.lifecycle('conv-older'), {
      state: 'snoozed',
      at: 1_760_000_100,
    });
    expect(await conversationOf()).toEqual({ id: 'conv-newer', state: 'closed' });
    await links.end('conv-newer', { state: 'ended', at: 1_760_000_200 }, 'test');
    await links.end('conv-older', { state: 'ended', at: 1_760_000_200 }, 'test');
    expect(await conversationOf()).toBeNull();
  });

  it('answers 401 without a key, with an unknown key, and with a revoked key', async () => {
    const cases: [string | undefined, string][] = [
      [undefined, 'missing_key'],
      ['not_a_key_at_all_0000', 'unknown_key'],
      [revokedKey, 'unknown_key'],
    ];
    for (const [key, error] of cases) {
      const response = await get(path, key);
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(response.json()).toMatchObject({ error, message: expect.stringMatching(/access key/) });
    }
  });

  it("answers 403 to crm's key asking for shop, with nothing of shop in the answer", async () => {
    const response = await get(path, envKeyCrm);
    expect(response.statusCode).toBe(403);
    expect(response.json()).toEqual({
      error: 'wrong_product',
      message: 'this access key belongs to product "crm" and cannot read product "shop"',
    });
    expect(response.body).not.toContain('shop 2');
    const own = await get('/v1/users/crm/user%208812/activity', envKeyCrm);
    expect(own.json().actions.map((action: { description: string }) => action.description)).toEqual([
      'crm 1',
      'crm 2',
    ]);
  });
});

describe('per-key rate limit', () => {
  it('answers 429 with Retry-After once a key has used its window, on both routes, other keys unaffected', async () => {
    // The real limiter over Redis, with a fixed clock 15 s into a one-minute window and 3 requests allowed.
    const now = () => new Date(Date.UTC(2025, 2, 1, 10, 0, 15));
    const limitedPath = '/v1/users/shop/user%208812/activity?limit=1';
    const limited = await buildServer({
      ...api.composed.deps,
      rateLimiter: new RedisRateLimiter(redis, new RedisKeys(api.config.prefix), now),
      accessRateLimit: { requests: 3, windowMs: 60_000 },
    });
    try {
      const statuses: number[] = [];
      for (let request = 0; request < 3; request += 1) {
        statuses.push((await get(limitedPath, envKeyShop, limited)).statusCode);
      }
      expect(statuses).toEqual([200, 200, 200]);
      const refused = await get(limitedPath, envKeyShop, limited);
      expect(refused.statusCode).toBe(429);
      expect(refused.headers['retry-after']).toBe('45');
      expect(refused.json()).toEqual({
        error: 'rate_limited',
        message: 'this access key made too many requests; try again in 45 s',
      });
      const mcp = await limited.app.inject({
        method: 'POST',
        url: '/mcp',
        headers: {
          authorization: `Bearer ${envKeyShop}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        payload: { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      });
      expect(mcp.statusCode).toBe(429);
      expect((await get(limitedPath, cliKeyShop, limited)).statusCode).toBe(200);
    } finally {
      await limited.app.close();
    }
  });
});
