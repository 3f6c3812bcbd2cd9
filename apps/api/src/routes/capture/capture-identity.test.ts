import { createHmac } from 'node:crypto';
import { RedisKeys } from '@threadline/redis-store';
import { testRedisUrl } from '@threadline/test-helpers';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../../test/test-api.js';

const apiKey = 'phc_test_key';
const serverKey = 'server_key_for_backends_0123';
const readKey = 'mcp_identity_key_0123456789';
const identitySecret = 'messenger-identity-secret';
let userCounter = 0;

/** A user id no other test writes to. */
function newUser(label: string): string {
  userCounter += 1;
  return `${label}-${userCounter}`;
}

/** Intercom's user_hash, computed here with node:crypto as a product backend would. */
function userHash(userId: string, secret = identitySecret): string {
  return createHmac('sha256', secret).update(userId).digest('hex');
}

/** A Messenger-style HS256 JWT, signed here independently of the code under test. */
function userJwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signed = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}`;
  return `${signed}.${createHmac('sha256', identitySecret).update(signed).digest('base64url')}`;
}

function customEvent(distinctId: string, name: string, properties: Record<string, unknown> = {}) {
  return {
    event: name,
    properties: { distinct_id: distinctId, $pathname: '/billing', ...properties },
    timestamp: new Date().toISOString(),
  };
}

/** What posthog-js sends once `posthog.identify(userId)` ends an anonymous visit. */
function identify(userId: string, anonymousId: string, properties: Record<string, unknown> = {}) {
  return customEvent(userId, '$identify', {
    $anon_distinct_id: anonymousId,
    $is_identified: true,
    ...properties,
  });
}

function capture(api: TestApi, batch: unknown[], key = apiKey) {
  return api.app.inject({ method: 'POST', url: '/batch/', payload: { api_key: key, batch } });
}

async function captured(api: TestApi, batch: unknown[], key = apiKey): Promise<void> {
  const response = await capture(api, batch, key);
  expect(response.statusCode, response.body).toBe(200);
}

interface RestAction {
  description: string;
  verified?: boolean;
}

/** What the REST route returns for the user, as Fin's HTTP clients would read it. */
async function rest(api: TestApi, userId: string): Promise<RestAction[]> {
  const response = await api.app.inject({
    method: 'GET',
    url: `/v1/users/default/${encodeURIComponent(userId)}/activity`,
    headers: { authorization: `Bearer ${readKey}` },
  });
  expect(response.statusCode).toBe(200);
  return (response.json() as { actions: RestAction[] }).actions;
}

/** What the MCP tool returns for the user (one JSON-RPC call, as an MCP host sends it). */
async function mcp(api: TestApi, userId: string): Promise<RestAction[]> {
  const response = await api.app.inject({
    method: 'POST',
    url: '/mcp',
    headers: {
      authorization: `Bearer ${readKey}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    },
    payload: {
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'get_live_user_activity', arguments: { product_id: 'default', user_id: userId } },
    },
  });
  expect(response.statusCode).toBe(200);
  const body = response.body.startsWith('{')
    ? response.json()
    : JSON.parse(
        response.body
          .split('\n')
          .find((line) => line.startsWith('data: '))
          ?.slice(6) ?? '{}',
      );
  const result = (
    body as { result: { structuredContent: { actions: RestAction[] }; content: { text: string }[] } }
  ).result;
  // Both forms the tool answers in say the same.
  // The text form is the notice, then the same JSON inside a <recorded_activity> fence.
  const text = result.content[0]?.text ?? '';
  const fenced = text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1);
  expect(JSON.parse(fenced).actions).toEqual(result.structuredContent.actions);
  return result.structuredContent.actions;
}

const lines = (actions: RestAction[]) => actions.map((action) => action.description);

async function refusedUnverified(api: TestApi): Promise<number> {
  const text = (await api.app.inject({ method: 'GET', url: '/metrics' })).body;
  const line = text
    .split('\n')
    .find((row) => row.includes('events_refused') && row.includes('reason="unverified"'));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe('CAPTURE_IDENTITY=off (the default): a forged $identify moves nothing it must not', () => {
  let api: TestApi;
  let redis: Redis;
  beforeAll(async () => {
    api = await startTestApi({ MCP_API_KEYS: `${readKey}:default` });
    redis = new Redis(testRedisUrl());
  });
  afterAll(async () => {
    redis.disconnect();
    await api.close();
  });

  it("keeps an identified user's actions where they are and out of the attacker's results", async () => {
    const victim = newUser('victim');
    const attacker = newUser('attacker');
    // posthog-js after identify: the victim's events say they are identified.
    await captured(api, [
      customEvent(victim, 'invoice_paid', { $is_identified: true, plan: 'Pro' }),
      customEvent(victim, 'payment_failed', { $is_identified: true }),
    ]);
    await captured(api, [identify(attacker, victim)]);
    expect(lines(await rest(api, victim))).toEqual(['Invoice paid (plan: Pro)', 'Payment failed']);
    expect(lines(await rest(api, attacker))).toEqual(['Signed in']);
    expect(lines(await mcp(api, attacker))).toEqual(['Signed in']);
    // Events that claim to be the victim's anonymous ones do not follow the attacker either.
    await captured(api, [customEvent(victim, 'secret_clicked', { $is_identified: false })]);
    expect(lines(await rest(api, attacker))).toEqual(['Signed in']);
  });

  it('keeps the actions of a backend-only user (posthog-node sends no $is_identified)', async () => {
    const victim = newUser('backend-victim');
    const attacker = newUser('attacker');
    await captured(api, [customEvent(victim, 'invoice_paid')]);
    await captured(api, [identify(attacker, victim)]);
    expect(lines(await rest(api, victim))).toEqual(['Invoice paid']);
    expect(lines(await rest(api, attacker))).toEqual(['Signed in']);
  });

  it('keeps the actions of a user with a conversation, even if every event said anonymous', async () => {
    const victim = newUser('linked-victim');
    const attacker = newUser('attacker');
    await captured(api, [customEvent(victim, 'invoice_paid', { $is_identified: false })]);
    await api.composed.deps.links.create(
      {
        conversationId: `conv-${victim}`,
        productId: 'default',
        userId: victim,
        appId: null,
        sessionId: null,
        conversationCreatedAt: null,
        linkedAt: new Date().toISOString(),
        status: 'open',
      },
      null,
    );
    await captured(api, [identify(attacker, victim)]);
    expect(lines(await rest(api, victim))).toEqual(['Invoice paid']);
    expect(lines(await rest(api, attacker))).toEqual(['Signed in']);
  });

  it('never moves a user that was itself the target of an $identify', async () => {
    const anonymous = newUser('anon');
    const victim = newUser('victim');
    const attacker = newUser('attacker');
    await captured(api, [
      customEvent(anonymous, 'plan_selected', { $is_identified: false, plan: 'Team' }),
      identify(victim, anonymous, { $is_identified: false }),
    ]);
    await captured(api, [identify(attacker, victim)]);
    expect(lines(await rest(api, victim))).toEqual(['Plan selected (plan: Team)', 'Signed in']);
    expect(lines(await rest(api, attacker))).toEqual(['Signed in']);
  });

  it('merges an anonymous id into one user at most', async () => {
    const anonymous = newUser('anon');
    const user = newUser('user');
    const attacker = newUser('attacker');
    await captured(api, [customEvent(anonymous, 'plan_selected', { $is_identified: false, plan: 'Pro' })]);
    await captured(api, [identify(user, anonymous)]);
    await captured(api, [identify(attacker, anonymous)]);
    await captured(api, [customEvent(anonymous, 'coupon_applied', { $is_identified: false })]);
    expect(lines(await rest(api, user))).toEqual([
      'Plan selected (plan: Pro)',
      'Signed in',
      'Coupon applied',
    ]);
    expect(lines(await rest(api, attacker))).toEqual(['Signed in']);
    expect(await redis.get(new RedisKeys(api.config.prefix).identifiedAs('default', anonymous))).toBe(user);
  });

  it('stops routing an id to the user it was merged into once that id says it is a user itself', async () => {
    const anonymous = newUser('anon');
    const user = newUser('user');
    await captured(api, [identify(user, anonymous)]);
    await captured(api, [customEvent(anonymous, 'plan_selected', { $is_identified: false, plan: 'Pro' })]);
    await captured(api, [customEvent(anonymous, 'invoice_paid', { $is_identified: true })]);
    await captured(api, [customEvent(anonymous, 'coupon_applied', { $is_identified: false })]);
    expect(lines(await rest(api, user))).toEqual(['Signed in', 'Plan selected (plan: Pro)']);
    expect(lines(await rest(api, anonymous))).toEqual(['Invoice paid', 'Coupon applied']);
  });
});

describe('CAPTURE_IDENTITY=require (INTERCOM_IDENTITY_SECRET set)', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({
      MCP_API_KEYS: `${readKey}:default`,
      INTERCOM_IDENTITY_SECRET: identitySecret,
      CAPTURE_SERVER_KEY: serverKey,
    });
  });
  afterAll(async () => {
    await api.close();
  });

  it('stores events with a valid $user_hash or $user_jwt', async () => {
    const user = newUser('verified');
    await captured(api, [
      customEvent(user, 'invoice_paid', { $user_hash: userHash(user) }),
      customEvent(user, 'report_exported', {
        $user_jwt: userJwt({ user_id: user, exp: Math.floor(Date.now() / 1000) + 600 }),
      }),
    ]);
    expect(await rest(api, user)).toMatchObject([
      { description: 'Invoice paid' },
      { description: 'Report exported' },
    ]);
    expect((await rest(api, user)).some((action) => 'verified' in action)).toBe(false);
  });

  it('refuses a wrong hash, an expired JWT and no proof, counted as unverified', async () => {
    const user = newUser('forged');
    const before = await refusedUnverified(api);
    const response = await capture(api, [
      customEvent(user, 'wrong_hash', { $user_hash: userHash(user, 'guessed-secret') }),
      customEvent(user, 'other_users_hash', { $user_hash: userHash('someone-else') }),
      customEvent(user, 'expired_jwt', {
        $user_jwt: userJwt({ user_id: user, exp: Math.floor(Date.now() / 1000) - 120 }),
      }),
      customEvent(user, 'no_proof', { $is_identified: true }),
    ]);
    expect(response.statusCode).toBe(200);
    expect(await rest(api, user)).toEqual([]);
    expect(await refusedUnverified(api)).toBe(before + 4);
  });

  it("keeps a forged event out of another user's results, whatever it claims", async () => {
    const victim = newUser('victim');
    await captured(api, [customEvent(victim, 'invoice_paid', { $user_hash: userHash(victim) })]);
    await captured(api, [
      customEvent(victim, 'refund_approved', {}),
      customEvent(victim, 'vip_confirmed', { $is_identified: false }),
      customEvent(victim, 'admin_note', { $is_identified: true, $user_hash: 'ab'.repeat(32) }),
    ]);
    expect(lines(await rest(api, victim))).toEqual(['Invoice paid']);
    expect(lines(await mcp(api, victim))).toEqual(['Invoice paid']);
  });

  it('keeps what an attacker sends under a user id before that user appears out of their results', async () => {
    const future = newUser('future-user');
    await captured(api, [customEvent(future, 'refund_approved', { $is_identified: false })]);
    await captured(api, [customEvent(future, 'invoice_paid', { $user_hash: userHash(future) })]);
    expect(lines(await rest(api, future))).toEqual(['Invoice paid']);
  });

  it('moves an anonymous visit into a user only with a verified $identify', async () => {
    const anonymous = newUser('anon');
    const user = newUser('user');
    const attacker = newUser('attacker');
    await captured(api, [customEvent(anonymous, 'plan_selected', { $is_identified: false, plan: 'Pro' })]);
    expect(await rest(api, anonymous)).toEqual([]);
    // Unverified: refused, and nothing moves into the user it names.
    await captured(api, [identify(user, anonymous)]);
    expect(await rest(api, user)).toEqual([]);
    await captured(api, [identify(user, anonymous, { $user_hash: userHash(user) })]);
    expect(lines(await rest(api, user))).toEqual(['Plan selected (plan: Pro)', 'Signed in']);
    // Verified or not, a second $identify of the same id moves nothing.
    await captured(api, [identify(attacker, anonymous, { $user_hash: userHash(attacker) })]);
    await captured(api, [customEvent(anonymous, 'coupon_applied', { $is_identified: false })]);
    expect(lines(await rest(api, user))).toEqual([
      'Plan selected (plan: Pro)',
      'Signed in',
      'Coupon applied',
    ]);
    expect(lines(await rest(api, attacker))).toEqual(['Signed in']);
  });

  it('counts every event sent with the server key as verified', async () => {
    const user = newUser('backend');
    await captured(api, [customEvent(user, 'invoice_paid')], serverKey);
    expect(lines(await rest(api, user))).toEqual(['Invoice paid']);
    const response = await capture(api, [customEvent(user, 'x')], 'not_a_key_of_this_project');
    expect(response.statusCode).toBe(401);
  });
});

describe('CAPTURE_IDENTITY=mark', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({
      MCP_API_KEYS: `${readKey}:default`,
      INTERCOM_IDENTITY_SECRET: identitySecret,
      CAPTURE_IDENTITY: 'mark',
    });
  });
  afterAll(async () => {
    await api.close();
  });

  it('keeps unverified actions and says so in REST and MCP results', async () => {
    const user = newUser('marked');
    await captured(api, [
      customEvent(user, 'invoice_paid', { $user_hash: userHash(user) }),
      customEvent(user, 'refund_approved'),
    ]);
    const expected = [{ description: 'Invoice paid' }, { description: 'Refund approved', verified: false }];
    expect((await rest(api, user)).map(({ description, verified }) => ({ description, verified }))).toEqual(
      expected.map((action) => ({ verified: undefined, ...action })),
    );
    const tool = await mcp(api, user);
    expect(tool[0]).not.toHaveProperty('verified');
    expect(tool[1]).toMatchObject({ description: 'Refund approved', verified: false });
  });
});
