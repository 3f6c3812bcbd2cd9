import { randomBytes } from 'node:crypto';
import { createIntercomSandbox, type IntercomSandbox } from '@threadline/intercom-sandbox';
import {
  createRedis,
  type RedisClient,
  RedisKeys,
  RedisWorkspaceStore,
  scanKeys,
  TokenCipher,
} from '@threadline/redis-store';
import { freePort, testRedisUrl } from '@threadline/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../../test/test-api.js';

const encryptionKey = randomBytes(32).toString('base64');
let sandbox: IntercomSandbox;
let api: TestApi;
let apiUrl: string;
let redis: RedisClient;
const storeOf = () =>
  new RedisWorkspaceStore(redis, new RedisKeys(api.config.prefix), new TokenCipher([encryptionKey]));

async function startApi(env: Record<string, string> = {}): Promise<{ api: TestApi; url: string }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const started = await startTestApi({
    INTERCOM_CLIENT_ID: 'client-1',
    INTERCOM_CLIENT_SECRET: 'secret-1',
    INTERCOM_API_BASE_URL: sandbox.url(),
    INTERCOM_OAUTH_URL: `${sandbox.url()}/oauth`,
    INTERCOM_TIMEOUT_MS: '1000',
    THREADLINE_PUBLIC_URL: url,
    THREADLINE_ENCRYPTION_KEY: encryptionKey,
    ...env,
  });
  await started.app.listen({ port, host: '127.0.0.1' });
  return { api: started, url };
}

beforeAll(async () => {
  sandbox = await createIntercomSandbox({
    token: 'main-token',
    workspaces: [
      { appId: 'wsbeta01', name: 'Beta', adminId: '501' },
      { appId: 'wsgamma1', name: 'Gamma', adminId: '601' },
    ],
    oauth: { clientId: 'client-1', clientSecret: 'secret-1' },
  });
  await sandbox.listen();
  ({ api, url: apiUrl } = await startApi());
  redis = createRedis(testRedisUrl(), 'producer', () => {});
});
afterAll(async () => {
  redis?.disconnect();
  await api?.close();
  await sandbox?.close();
});

interface Started {
  cookie: string;
  setCookie: string;
  authorizeUrl: URL;
}

/** `GET /install`: the redirect to the authorize page and the cookie that binds it. */
async function startInstall(base = apiUrl): Promise<Started> {
  const answer = await fetch(`${base}/oauth/intercom/install`, { redirect: 'manual' });
  expect(answer.status).toBe(302);
  const setCookie = answer.headers.get('set-cookie') ?? '';
  return {
    setCookie,
    cookie: setCookie.split(';')[0] ?? '',
    authorizeUrl: new URL(answer.headers.get('location') ?? ''),
  };
}

/** What the admin's press on the sandbox's authorize page does: back to the callback URL. */
async function decide(started: Started, decision: 'approve' | 'deny', workspace = 'wsbeta01'): Promise<URL> {
  const query = started.authorizeUrl.searchParams;
  const answer = await fetch(`${sandbox.url()}/oauth/decide`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      client_id: query.get('client_id') ?? '',
      state: query.get('state') ?? '',
      redirect_uri: query.get('redirect_uri') ?? '',
      workspace,
      decision,
    }),
  });
  expect(answer.status).toBe(302);
  return new URL(answer.headers.get('location') ?? '');
}

async function callback(
  url: URL | string,
  cookie?: string,
): Promise<{ status: number; body: string; headers: Headers }> {
  const answer = await fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });
  return { status: answer.status, body: await answer.text(), headers: answer.headers };
}

async function install(workspace: string, base = apiUrl) {
  const started = await startInstall(base);
  const back = await decide(started, 'approve', workspace);
  return { started, back, ...(await callback(back, started.cookie)) };
}

const keyOf = (body: string, kind: 'capture' | 'mcp') =>
  new RegExp(`data-key="${kind}">([^<]+)<`).exec(body)?.[1] ?? null;

describe('GET /oauth/intercom/install', () => {
  it('redirects to the authorize page with client id, a state and the callback URL, and sets the binding cookie', async () => {
    const { authorizeUrl, setCookie } = await startInstall();
    expect(authorizeUrl.origin + authorizeUrl.pathname).toBe(`${sandbox.url()}/oauth`);
    expect(authorizeUrl.searchParams.get('client_id')).toBe('client-1');
    expect(authorizeUrl.searchParams.get('redirect_uri')).toBe(`${apiUrl}/oauth/intercom/callback`);
    expect(authorizeUrl.searchParams.get('state')).toMatch(/^[\w-]{43}$/);
    expect(setCookie).toMatch(
      /^threadline_oauth=[\w-]{43}; Max-Age=600; Path=\/oauth\/intercom; HttpOnly; SameSite=Lax$/,
    );
    expect(setCookie).not.toContain(authorizeUrl.searchParams.get('state') ?? '-');
  });

  it('sets the cookie Secure for any public URL but plain-http localhost', async () => {
    const other = await startApi({ THREADLINE_PUBLIC_URL: 'https://threadline.example.com' });
    try {
      const { setCookie, authorizeUrl } = await startInstall(other.url);
      expect(setCookie).toMatch(/; HttpOnly; SameSite=Lax; Secure$/);
      expect(authorizeUrl.searchParams.get('redirect_uri')).toBe(
        'https://threadline.example.com/oauth/intercom/callback',
      );
    } finally {
      await other.api.close();
    }
  });
});

describe('GET /oauth/intercom/callback', () => {
  it('installs the workspace: stores it with its token sealed, shows product id and keys once, clears the cookie', async () => {
    const { status, body, headers } = await install('wsbeta01');
    expect(status).toBe(200);
    expect(headers.get('cache-control')).toBe('no-store');
    expect(headers.get('referrer-policy')).toBe('no-referrer');
    expect(headers.get('set-cookie')).toMatch(/^threadline_oauth=; Max-Age=0;/);
    expect(body).toContain('<html lang="en">');
    expect(body).toContain('data-product-id>intercom-wsbeta01<');
    const captureKey = keyOf(body, 'capture');
    const mcpKey = keyOf(body, 'mcp');
    expect(captureKey).toMatch(/^tlc_[\w-]{43}$/);
    expect(mcpKey).toMatch(/^tlk_[0-9a-f]{12}_[\w-]{43}$/);
    expect(body).toContain(`posthog.init(&#39;${captureKey}&#39;, { api_host: &#39;${apiUrl}&#39; });`);
    expect(body).toContain(`${apiUrl}/webhooks/intercom`);
    expect(body).toContain('conversation.user.created');
    expect(body).toContain(`${apiUrl}/mcp`);

    const store = storeOf();
    const workspace = await store.byAppId('wsbeta01');
    expect(workspace).toMatchObject({
      productId: 'intercom-wsbeta01',
      adminId: '501',
      apiBaseUrl: sandbox.url(),
      source: 'oauth',
    });
    const issued = sandbox
      .issuedTokens()
      .filter((token) => token.appId === 'wsbeta01')
      .at(-1)?.token;
    expect(await store.accessToken('intercom-wsbeta01')).toBe(issued);
    expect(await store.productOfCaptureKey(captureKey ?? '')).toBe('intercom-wsbeta01');
    const mcpId = /^tlk_([0-9a-f]{12})_/.exec(mcpKey ?? '')?.[1] ?? '';
    expect((await api.composed.deps.accessKeys.get(mcpId))?.productId).toBe('intercom-wsbeta01');

    // The MCP key reads that product's activity, and only that product's.
    const own = await fetch(`${apiUrl}/v1/users/intercom-wsbeta01/u1/activity`, {
      headers: { authorization: `Bearer ${mcpKey}` },
    });
    expect(own.status).toBe(200);
    const other = await fetch(`${apiUrl}/v1/users/default/u1/activity`, {
      headers: { authorization: `Bearer ${mcpKey}` },
    });
    expect(other.status).toBe(403);
  });

  it('on a reinstall replaces the token and keeps product id and keys, making none', async () => {
    const first = await install('wsgamma1');
    const store = storeOf();
    const before = await store.byAppId('wsgamma1');
    const again = await install('wsgamma1');
    expect(again.status).toBe(200);
    expect(again.body).toContain('data-product-id>intercom-wsgamma1<');
    expect(keyOf(again.body, 'capture')).toBeNull();
    expect(again.body).toContain('installed before');
    const after = await store.byAppId('wsgamma1');
    expect(after?.createdAt).toBe(before?.createdAt);
    const tokens = sandbox.issuedTokens().filter((token) => token.appId === 'wsgamma1');
    expect(await store.accessToken('intercom-wsgamma1')).toBe(tokens.at(-1)?.token);
    expect(await store.productOfCaptureKey(keyOf(first.body, 'capture') ?? '')).toBe('intercom-wsgamma1');
  });

  it('refuses Deny with a clear page, and stores nothing', async () => {
    const started = await startInstall();
    const back = await decide(started, 'deny');
    const { status, body } = await callback(back, started.cookie);
    expect(status).toBe(403);
    expect(body).toContain('The install was cancelled');
    expect(body).toContain('href="/oauth/intercom/install"');
  });

  it('refuses a replayed state, a forged one and a missing one', async () => {
    const { back, started, status } = await install('wsbeta01');
    expect(status).toBe(200);
    const replay = await callback(back, started.cookie);
    expect(replay.status).toBe(400);
    expect(replay.body).toContain('This install link is no longer valid');

    const fresh = await startInstall();
    const forged = new URL(`${apiUrl}/oauth/intercom/callback`);
    forged.searchParams.set('code', 'whatever');
    forged.searchParams.set('state', randomBytes(32).toString('base64url'));
    const answer = await callback(forged, fresh.cookie);
    expect(answer.status).toBe(400);
    expect(answer.body).toContain('This install link is no longer valid');

    const none = await callback(`${apiUrl}/oauth/intercom/callback?code=x`, fresh.cookie);
    expect(none.status).toBe(400);
    expect(none.body).toContain('incomplete');
  });

  it('refuses a missing cookie, and a state started in another browser', async () => {
    const started = await startInstall();
    const back = await decide(started, 'approve');
    const missing = await callback(back);
    expect(missing.status).toBe(400);
    expect(missing.body).toContain('This browser did not start the install');

    // The victim's browser (its own cookie) opening the attacker's callback link.
    const attacker = await startInstall();
    const attackerBack = await decide(attacker, 'approve');
    const victim = await startInstall();
    const crossed = await callback(attackerBack, victim.cookie);
    expect(crossed.status).toBe(400);
    expect(crossed.body).toContain('started in another browser');
  });

  it('refuses a reused code and an expired one', async () => {
    const first = await install('wsbeta01');
    expect(first.status).toBe(200);
    const second = await startInstall();
    const reused = new URL(`${apiUrl}/oauth/intercom/callback`);
    reused.searchParams.set('code', first.back.searchParams.get('code') ?? '');
    reused.searchParams.set('state', second.authorizeUrl.searchParams.get('state') ?? '');
    const answer = await callback(reused, second.cookie);
    expect(answer.status).toBe(400);
    expect(answer.body).toContain('Intercom refused the install code');

    const late = await startInstall();
    const lateBack = await decide(late, 'approve');
    await fetch(`${sandbox.url()}/_sandbox/oauth/expire-codes`, { method: 'POST' });
    const expired = await callback(lateBack, late.cookie);
    expect(expired.status).toBe(400);
    expect(expired.body).toContain('expired or was used already');
  });

  it('answers a clear page when Intercom is down or too slow', async () => {
    const down = await startApi({ INTERCOM_API_BASE_URL: `http://127.0.0.1:${await freePort()}` });
    try {
      const started = await startInstall(down.url);
      const back = await decide(started, 'approve');
      const answer = await callback(back, started.cookie);
      expect(answer.status).toBe(502);
      expect(answer.body).toContain('Intercom did not answer');
    } finally {
      await down.api.close();
    }
    sandbox.injectFault({ method: 'GET', pathPattern: '^/me$', delayMs: 3000, count: 1 });
    const started = await startInstall();
    const back = await decide(started, 'approve');
    const slow = await callback(back, started.cookie);
    expect(slow.status).toBe(502);
  });

  it('leaves no token in plain text anywhere in Redis', async () => {
    await install('wsbeta01');
    await install('wsgamma1');
    const tokens = sandbox.issuedTokens().map((issued) => issued.token);
    expect(tokens.length).toBeGreaterThanOrEqual(2);
    // The prefix's keys and BullMQ's (`{<prefix>-<queue>}:…`).
    const everything = [
      ...(await scanKeys(redis, `${api.config.prefix}:*`)),
      ...(await scanKeys(redis, `{${api.config.prefix}-*`)),
    ];
    expect(everything.length).toBeGreaterThan(0);
    let scanned = 0;
    for (const key of everything) {
      const text = await dump(key);
      scanned += 1;
      for (const token of tokens) {
        expect(key.includes(token), key).toBe(false);
        expect(text.includes(token), key).toBe(false);
        expect(text.includes(Buffer.from(token).toString('base64')), key).toBe(false);
      }
    }
    expect(scanned).toBe(everything.length);
  });
});

/** Every value of a key as text, whatever its type. */
async function dump(key: string): Promise<string> {
  const type = await redis.type(key);
  switch (type) {
    case 'string':
      return (await redis.get(key)) ?? '';
    case 'hash':
      return JSON.stringify(await redis.hgetall(key));
    case 'list':
      return JSON.stringify(await redis.lrange(key, 0, -1));
    case 'set':
      return JSON.stringify(await redis.smembers(key));
    case 'zset':
      return JSON.stringify(await redis.zrange(key, 0, -1, 'WITHSCORES'));
    case 'stream':
      return JSON.stringify(await redis.xrange(key, '-', '+'));
    default:
      return '';
  }
}
