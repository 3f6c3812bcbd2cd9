import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import type { StoredAction } from '@threadline/core';
import { RedisKeys } from '@threadline/redis-store';
import { testRedisUrl } from '@threadline/test-helpers';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../../test/test-api.js';

// lz-string is a dependency of the capture package, not of the API: borrowed from there to encode
// bodies the way older posthog-js does.
const LZString = createRequire(new URL('../../../../../packages/capture/package.json', import.meta.url))(
  'lz-string',
) as { compressToBase64(text: string): string };

const apiKey = 'phc_test_key';
const webhookSecret = 'whsec_posthog_test';
let api: TestApi;
let redis: Redis;
let userCounter = 0;

/** A user id no other test writes to. */
function newUser(label: string): string {
  userCounter += 1;
  return `${label}-${userCounter}`;
}

function pageview(distinctId: string, path = '/pricing', title = 'Pricing | Acme') {
  return {
    event: '$pageview',
    properties: {
      distinct_id: distinctId,
      token: apiKey,
      $current_url: `https://app.acme.io${path}`,
      $pathname: path,
      title,
      $session_id: 'session-1',
    },
    timestamp: new Date().toISOString(),
  };
}

function click(distinctId: string, text: string, path = '/billing') {
  return {
    event: '$autocapture',
    properties: {
      distinct_id: distinctId,
      token: apiKey,
      $event_type: 'click',
      $current_url: `https://app.acme.io${path}`,
      $pathname: path,
      $elements_chain: `button.btn:nth-child="1"text="${text}"`,
    },
    timestamp: new Date().toISOString(),
  };
}

/** posthog-js marks every event before `identify` `$is_identified: false`. */
function asAnonymous<T extends { properties: Record<string, unknown> }>(event: T): T {
  return { ...event, properties: { ...event.properties, $is_identified: false } };
}

async function descriptions(userId: string): Promise<string[]> {
  const actions: StoredAction[] = await api.composed.deps.activity.listRecent(
    { productId: 'default', userId },
    50,
  );
  return actions.map((action) => action.description);
}

/** Every field value of the user's stream, as Redis holds it. */
async function rawStream(userId: string): Promise<string> {
  const key = new RedisKeys(api.config.prefix).actions('default', userId);
  const entries = await redis.xrange(key, '-', '+');
  return entries.flatMap(([id, fields]) => [id, ...fields]).join('\n');
}

async function expectHealthy(): Promise<void> {
  const health = await api.app.inject({ method: 'GET', url: '/healthz' });
  expect(health.statusCode).toBe(200);
}

function send(options: InjectOptions): Promise<LightMyRequestResponse> {
  return api.app.inject(options) as Promise<LightMyRequestResponse>;
}

function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  return send({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', ...headers },
    payload: JSON.stringify(body),
  });
}

function expectCaptured(response: LightMyRequestResponse): void {
  expect(response.statusCode, response.body).toBe(200);
  expect(response.json()).toEqual({ status: 1 });
}

/** Asserts the refusal (status, stable code, a message that says why) and that the API still serves. */
async function expectRefused(
  response: LightMyRequestResponse,
  status: number,
  error: string,
  message: RegExp,
): Promise<void> {
  expect(response.statusCode, response.body).toBe(status);
  expect(response.json()).toMatchObject({ error });
  expect(response.json().message).toMatch(message);
  await expectHealthy();
}

beforeAll(async () => {
  api = await startTestApi({ POSTHOG_WEBHOOK_SECRET: webhookSecret });
  redis = new Redis(testRedisUrl());
});
afterAll(async () => {
  await api.close();
  redis.disconnect();
});

describe('capture routes', () => {
  const paths = ['/e', '/i/v0/e', '/batch', '/capture', '/track', '/engage'].flatMap((path) => [
    path,
    `${path}/`,
  ]);
  it.each(paths)('POST %s stores a single event as a specific line', async (path) => {
    const user = newUser('path');
    expectCaptured(await postJson(path, click(user, `Export from ${path}`)));
    expect(await descriptions(user)).toEqual([`Clicked "Export from ${path}" button on /billing`]);
  });

  it('stores an array of events in the order they happened', async () => {
    const user = newUser('array');
    const first = pageview(user);
    const second = { ...click(user, 'Upgrade'), timestamp: new Date(Date.now() + 1000).toISOString() };
    expectCaptured(await postJson('/e/', [second, first]));
    expect(await descriptions(user)).toEqual([
      'Viewed Pricing (/pricing)',
      'Clicked "Upgrade" button on /billing',
    ]);
  });

  it('stores a posthog-node batch with api_key, top-level distinct_id and sent_at clock correction', async () => {
    const user = newUser('batch');
    // The client's clock is a year behind: the event happened 20 s before the batch was sent.
    const body = {
      api_key: apiKey,
      sent_at: '2020-01-01T00:00:30.000Z',
      batch: [
        {
          event: 'plan_upgraded',
          distinct_id: user,
          properties: { plan: 'Pro', $lib: 'posthog-node' },
          timestamp: '2020-01-01T00:00:10.000Z',
        },
      ],
    };
    const before = Date.now();
    expectCaptured(await postJson('/batch/', body));
    const [action] = await api.composed.deps.activity.listRecent({ productId: 'default', userId: user }, 5);
    expect(action?.description).toBe('Plan upgraded (plan: Pro)');
    const at = Date.parse(action!.at);
    expect(at).toBeGreaterThanOrEqual(before - 20_000 - 1000);
    expect(at).toBeLessThanOrEqual(Date.now() - 20_000 + 1000);
  });

  it('takes the key from a batch-level token and from an event-level $token', async () => {
    const user = newUser('token');
    const event = { event: 'report_exported', distinct_id: user, properties: {} };
    expectCaptured(await postJson('/batch', { token: apiKey, batch: [event] }));
    expectCaptured(await postJson('/capture', { ...event, $token: apiKey }));
    expect(await descriptions(user)).toEqual(['Report exported', 'Report exported']);
  });

  describe('decodes every body encoding posthog-js and posthog-node send', () => {
    it('gzip posted as text/plain with no header and no query hint (recent posthog-js)', async () => {
      const user = newUser('gzip-plain');
      const response = await send({
        method: 'POST',
        url: '/e/?ip=0&_=1736150400000&ver=1.434.18',
        headers: { 'content-type': 'text/plain' },
        payload: gzipSync(JSON.stringify([pageview(user), click(user, 'Save')])),
      });
      expectCaptured(response);
      expect(await descriptions(user)).toEqual([
        'Viewed Pricing (/pricing)',
        'Clicked "Save" button on /billing',
      ]);
    });

    it('gzip with ?compression=gzip-js, and with Content-Encoding: gzip', async () => {
      const user = newUser('gzip-hinted');
      expectCaptured(
        await send({
          method: 'POST',
          url: '/i/v0/e/?compression=gzip-js',
          headers: { 'content-type': 'text/plain' },
          payload: gzipSync(JSON.stringify(click(user, 'First'))),
        }),
      );
      expectCaptured(
        await send({
          method: 'POST',
          url: '/batch/',
          headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
          payload: gzipSync(JSON.stringify({ api_key: apiKey, batch: [click(user, 'Second')] })),
        }),
      );
      expect(await descriptions(user)).toEqual([
        'Clicked "First" button on /billing',
        'Clicked "Second" button on /billing',
      ]);
    });

    it('lz64 in a form body (older posthog-js)', async () => {
      const user = newUser('lz64');
      const data = LZString.compressToBase64(JSON.stringify([click(user, 'Compressed')]));
      expectCaptured(
        await send({
          method: 'POST',
          url: '/e/?compression=lz64',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({ data, compression: 'lz64' }).toString(),
        }),
      );
      expect(await descriptions(user)).toEqual(['Clicked "Compressed" button on /billing']);
    });

    it('a base64 body, and base64 inside a form data= field', async () => {
      const user = newUser('base64');
      expectCaptured(
        await send({
          method: 'POST',
          url: '/e',
          headers: { 'content-type': 'text/plain' },
          payload: Buffer.from(JSON.stringify(click(user, 'Raw base64'))).toString('base64'),
        }),
      );
      expectCaptured(
        await send({
          method: 'POST',
          url: '/e',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: `data=${encodeURIComponent(Buffer.from(JSON.stringify(click(user, 'Form base64'))).toString('base64'))}`,
        }),
      );
      expect(await descriptions(user)).toEqual([
        'Clicked "Raw base64" button on /billing',
        'Clicked "Form base64" button on /billing',
      ]);
    });

    it('a form data= field with plain JSON', async () => {
      const user = newUser('form-json');
      expectCaptured(
        await send({
          method: 'POST',
          url: '/track/',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({ data: JSON.stringify(click(user, 'Form JSON')) }).toString(),
        }),
      );
      expect(await descriptions(user)).toEqual(['Clicked "Form JSON" button on /billing']);
    });

    it('GET with ?data= (image beacons)', async () => {
      const user = newUser('get-data');
      const data = Buffer.from(JSON.stringify(click(user, 'Pixel'))).toString('base64');
      expectCaptured(await send({ method: 'GET', url: `/e/?data=${encodeURIComponent(data)}` }));
      expect(await descriptions(user)).toEqual(['Clicked "Pixel" button on /billing']);
    });

    it('an empty POST body with ?data=', async () => {
      const user = newUser('post-query-data');
      const data = encodeURIComponent(JSON.stringify(click(user, 'Query')));
      expectCaptured(await send({ method: 'POST', url: `/capture/?data=${data}` }));
      expect(await descriptions(user)).toEqual(['Clicked "Query" button on /billing']);
    });
  });

  describe('refuses what it cannot use, and stays healthy', () => {
    it('401 for an unknown or missing key, storing nothing', async () => {
      const user = newUser('unauthorized');
      const wrongKey = {
        ...click(user, 'Nope'),
        properties: { ...click(user, 'Nope').properties, token: 'phc_other' },
      };
      await expectRefused(await postJson('/e/', wrongKey), 401, 'unknown_api_key', /api_key|token/);
      await expectRefused(
        await postJson('/batch/', { api_key: 'phc_other', batch: [click(user, 'Nope')] }),
        401,
        'unknown_api_key',
        /capture key/,
      );
      const { token: _token, ...withoutToken } = click(user, 'Nope').properties;
      await expectRefused(
        await postJson('/e/', { event: '$autocapture', properties: withoutToken }),
        401,
        'unknown_api_key',
        /capture key/,
      );
      // A key of the same length that differs in one character (the compare is constant-time).
      const nearKey = { api_key: `${apiKey.slice(0, -1)}X`, batch: [click(user, 'Nope')] };
      await expectRefused(await postJson('/batch', nearKey), 401, 'unknown_api_key', /capture key/);
      expect(await descriptions(user)).toEqual([]);
      expect(await redis.exists(new RedisKeys(api.config.prefix).actions('default', user))).toBe(0);
    });

    it.each([
      ['invalid JSON', '{"event": "$pageview", ', /not valid JSON/],
      ['an empty body', '', /empty/],
      ['a JSON string', '"hello"', /JSON object or array/],
      ['bytes that are not UTF-8', Buffer.from([0xff, 0xfe, 0x00, 0x81]), /UTF-8/],
      ['a truncated gzip stream', gzipSync(JSON.stringify([{ event: 'x' }])).subarray(0, 12), /gzip/],
    ])('400 for %s, with a message that says what is wrong', async (_name, payload, message) => {
      const response = await send({
        method: 'POST',
        url: '/e/',
        headers: { 'content-type': 'text/plain' },
        payload,
      });
      await expectRefused(response, 400, 'malformed', message);
      // The message describes the problem; it never quotes the product's bytes back.
      expect(response.json().message).not.toContain('$pageview');
    });

    it('400 for a batch that is not a list of events', async () => {
      await expectRefused(
        await postJson('/batch/', { api_key: apiKey, batch: 'not a list' }),
        400,
        'malformed',
        /batch/,
      );
    });

    it('413 for a body above the raw limit', async () => {
      const user = newUser('too-large');
      const padded = {
        ...click(user, 'Big'),
        properties: { ...click(user, 'Big').properties, pad: 'x'.repeat(1_100_000) },
      };
      await expectRefused(await postJson('/e/', padded), 413, 'too_large', /larger than the limit/);
      expect(await descriptions(user)).toEqual([]);
    });

    it('413 for a gzip bomb: a small body that inflates past the decoded limit', async () => {
      const user = newUser('bomb');
      const inflated = JSON.stringify({ ...click(user, 'Boom'), pad: ' '.repeat(16 * 1024 * 1024) });
      const bomb = gzipSync(inflated, { level: 9 });
      expect(bomb.length).toBeLessThan(1024 * 1024);
      const response = await send({
        method: 'POST',
        url: '/e/?compression=gzip-js',
        headers: { 'content-type': 'text/plain' },
        payload: bomb,
      });
      await expectRefused(response, 413, 'too_large', /inflates to more than/);
      expect(await descriptions(user)).toEqual([]);
    });
  });

  describe('CORS', () => {
    it('answers a preflight by mirroring the Origin, without credentials', async () => {
      for (const path of ['/e/', '/i/v0/e/', '/flags/']) {
        const response = await send({
          method: 'OPTIONS',
          url: path,
          headers: {
            origin: 'https://shop.example.com',
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'content-type',
          },
        });
        expect(response.statusCode).toBe(204);
        expect(response.headers['access-control-allow-origin']).toBe('https://shop.example.com');
        expect(response.headers['access-control-allow-credentials']).toBeUndefined();
        expect(String(response.headers['access-control-allow-methods'])).toContain('POST');
      }
    });

    it('mirrors the Origin on the capture answer itself', async () => {
      const user = newUser('cors');
      const response = await postJson('/e/', click(user, 'Cross origin'), {
        origin: 'https://shop.example.com',
      });
      expectCaptured(response);
      expect(response.headers['access-control-allow-origin']).toBe('https://shop.example.com');
      expect(response.headers['access-control-allow-credentials']).toBeUndefined();
    });
  });

  describe('what posthog-js asks at start', () => {
    it.each(['/array/phc_test_key/config', '/array/phc_test_key/config/'])(
      'GET %s: autocapture on, no recordings, no surveys key, gzip supported',
      async (url) => {
        const response = await send({ method: 'GET', url });
        expect(response.statusCode).toBe(200);
        const config = response.json();
        expect(config).toMatchObject({
          token: 'phc_test_key',
          autocapture_opt_out: false,
          sessionRecording: false,
        });
        expect(config.supportedCompression).toContain('gzip-js');
        expect(config).not.toHaveProperty('surveys');
      },
    );

    it.each(['/flags?v=2&config=true', '/flags/?v=2'])('POST %s: no flags', async (url) => {
      const response = await postJson(url, { token: apiKey, distinct_id: 'someone' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ flags: {}, errorsWhileComputingFlags: false });
      expect(response.json()).not.toHaveProperty('surveys');
    });

    it.each(['/decide?v=3', '/decide/?v=3'])('POST %s: the legacy answer', async (url) => {
      const response = await postJson(url, { token: apiKey, distinct_id: 'someone' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ featureFlags: {}, errorsWhileComputingFlags: false });
      expect(response.json()).not.toHaveProperty('flags');
    });

    it.each(['/s', '/s/'])('POST %s: recordings are accepted and dropped', async (url) => {
      const user = newUser('recording');
      const response = await send({
        method: 'POST',
        url: `${url}?compression=gzip-js`,
        headers: { 'content-type': 'text/plain' },
        payload: gzipSync(JSON.stringify([{ event: '$snapshot', properties: { distinct_id: user } }])),
      });
      expect(response.statusCode).toBe(200);
      expect(await descriptions(user)).toEqual([]);
    });
  });

  describe('POST /webhooks/posthog', () => {
    function webhookBody(user: string) {
      return {
        event: {
          uuid: '0190b4a2-0000-7000-8000-000000000001',
          event: '$autocapture',
          distinct_id: user,
          properties: {
            $event_type: 'click',
            $current_url: 'https://app.acme.io/settings',
            $pathname: '/settings',
          },
          elements_chain: 'button:nth-child="2"text="Delete workspace"',
          timestamp: new Date().toISOString(),
          url: 'https://eu.posthog.com/project/1/events/x',
        },
        person: { id: 'p1', properties: { email: 'jane@example.com' } },
      };
    }

    it('stores the forwarded event with the right secret', async () => {
      const user = newUser('webhook');
      const response = await postJson('/webhooks/posthog', webhookBody(user), {
        'x-posthog-secret': webhookSecret,
      });
      expect(response.statusCode, response.body).toBe(200);
      expect(await descriptions(user)).toEqual(['Clicked "Delete workspace" button on /settings']);
      expect(await rawStream(user)).not.toContain('jane@example.com');
    });

    it.each([
      ['a wrong secret', { 'x-posthog-secret': 'whsec_posthog_tesX' }],
      ['a longer secret', { 'x-posthog-secret': `${webhookSecret}x` }],
      ['no secret', {}],
    ])('401 with %s, storing nothing', async (_name, headers: Record<string, string>) => {
      const user = newUser('webhook-refused');
      await expectRefused(
        await postJson('/webhooks/posthog', webhookBody(user), headers),
        401,
        'bad_secret',
        /X-PostHog-Secret/,
      );
      expect(await descriptions(user)).toEqual([]);
    });

    it('400 for a body without an event, with the right secret', async () => {
      await expectRefused(
        await postJson('/webhooks/posthog', { person: {} }, { 'x-posthog-secret': webhookSecret }),
        400,
        'malformed',
        /event/,
      );
    });
  });

  it('$identify with $anon_distinct_id moves the anonymous actions to the user', async () => {
    const anonymous = newUser('anon');
    const user = newUser('identified');
    const start = Date.now();
    const at = (offset: number) => new Date(start + offset).toISOString();
    expectCaptured(
      await postJson('/e/', [
        { ...asAnonymous(pageview(anonymous, '/pricing')), timestamp: at(0) },
        { ...asAnonymous(click(anonymous, 'Sign up', '/pricing')), timestamp: at(1) },
      ]),
    );
    expect(await descriptions(anonymous)).toHaveLength(2);
    expectCaptured(
      await postJson('/e/', {
        event: '$identify',
        properties: {
          distinct_id: user,
          $anon_distinct_id: anonymous,
          token: apiKey,
          $current_url: 'https://app.acme.io/welcome',
          $set: { email: 'new.user@example.com' },
        },
        timestamp: at(2),
      }),
    );
    expectCaptured(await postJson('/e/', { ...click(user, 'Start trial', '/welcome'), timestamp: at(3) }));
    expect(await descriptions(user)).toEqual([
      'Viewed Pricing (/pricing)',
      'Clicked "Sign up" button on /pricing',
      'Signed in',
      'Clicked "Start trial" button on /welcome',
    ]);
    expect(await descriptions(anonymous)).toEqual([]);
    expect(await rawStream(user)).not.toContain('new.user@example.com');
  });

  it('gives the user the anonymous events sent in the same batch as the $identify (as posthog-js does)', async () => {
    const anonymous = newUser('anon-same-batch');
    const user = newUser('identified-same-batch');
    const start = Date.now();
    const at = (offset: number) => new Date(start + offset).toISOString();
    expectCaptured(
      await postJson('/e/', { ...asAnonymous(pageview(anonymous, '/pricing')), timestamp: at(0) }),
    );
    expectCaptured(
      await postJson('/e/', [
        { ...asAnonymous(click(anonymous, 'Create account', '/signup')), timestamp: at(1) },
        {
          event: '$identify',
          properties: { distinct_id: user, $anon_distinct_id: anonymous, token: apiKey },
          timestamp: at(2),
        },
        { ...click(user, 'Continue', '/onboarding'), timestamp: at(3) },
      ]),
    );
    expect(await descriptions(user)).toEqual([
      'Viewed Pricing (/pricing)',
      'Clicked "Create account" button on /signup',
      'Signed in',
      'Clicked "Continue" button on /onboarding',
    ]);
    expect(await redis.exists(new RedisKeys(api.config.prefix).actions('default', anonymous))).toBe(0);
  });

  it('gives the user anonymous events that arrive after the $identify (posthog-js sends $identify at once)', async () => {
    const anonymous = newUser('anon-late');
    const user = newUser('identified-late');
    const start = Date.now();
    const at = (offset: number) => new Date(start + offset).toISOString();
    expectCaptured(
      await postJson('/e/', {
        event: '$identify',
        properties: { distinct_id: user, $anon_distinct_id: anonymous, token: apiKey, $is_identified: true },
        timestamp: at(2),
      }),
    );
    const late = click(anonymous, 'Create account', '/signup');
    expectCaptured(
      await postJson('/e/', [
        { ...late, properties: { ...late.properties, $is_identified: false }, timestamp: at(1) },
      ]),
    );
    expect(await descriptions(user)).toEqual(['Signed in', 'Clicked "Create account" button on /signup']);
    expect(await redis.exists(new RedisKeys(api.config.prefix).actions('default', anonymous))).toBe(0);
  });

  it('never lets an email or a card number from properties or element text reach Redis', async () => {
    const user = newUser('redaction');
    const email = 'jane.doe+billing@example.com';
    const card = '4242 4242 4242 4242';
    const events = [
      {
        ...click(user, `Email ${email}`),
        properties: {
          ...click(user, `Email ${email}`).properties,
          $current_url: `https://app.acme.io/billing?email=${encodeURIComponent(email)}`,
        },
      },
      {
        event: '$autocapture',
        properties: {
          distinct_id: user,
          token: apiKey,
          $event_type: 'change',
          $pathname: '/checkout',
          $current_url: 'https://app.acme.io/checkout',
          $elements_chain: `input:attr__name="card"attr__value="${card}"nth-child="1"text="${card}"`,
        },
      },
      {
        event: 'payment_failed',
        properties: {
          distinct_id: user,
          token: apiKey,
          plan: `Pro for ${email}`,
          reason: `card ${card}`,
          email,
        },
      },
      {
        event: '$exception',
        properties: {
          distinct_id: user,
          token: apiKey,
          $pathname: '/checkout',
          $exception_list: [{ type: 'Error', value: `Card ${card.replace(/ /g, '')} declined for ${email}` }],
        },
      },
    ];
    expectCaptured(await postJson('/e/', events));
    const lines = await descriptions(user);
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe('Clicked "Email [email]" button on /billing');
    expect(lines[1]).toBe('Changed the "card" field on /checkout');
    expect(lines[3]).toMatch(/^Saw an error on \/checkout: Error: "Card \[card\] declined for \[email\]"$/);
    const raw = await rawStream(user);
    expect(raw).toContain('[email]');
    for (const secret of [email, 'jane.doe', 'example.com', card, card.replace(/ /g, ''), '4242']) {
      expect(raw).not.toContain(secret);
    }
  });
});
