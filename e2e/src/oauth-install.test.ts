import { randomBytes } from 'node:crypto';
import { createIntercomSandbox, type IntercomSandbox } from '@threadline/intercom-sandbox';
import {
  createRedis,
  type RedisClient,
  RedisKeys,
  RedisWorkspaceStore,
  TokenCipher,
} from '@threadline/redis-store';
import { deleteKeysWithPrefix, freePort, testRedisUrl, uniquePrefix } from '@threadline/test-helpers';
import { launchHeadlessChromium } from '@threadline/test-helpers/chromium';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { PostHog } from 'posthog-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServiceProcess, startService, waitForReady } from './processes.js';

const prefix = uniquePrefix('e2e-oauth');
const encryptionKey = randomBytes(32).toString('base64');
let sandbox: IntercomSandbox;
let api: ServiceProcess;
let apiUrl: string;
let browser: Browser;
let redis: RedisClient;
/** Every code and state the browser carried, to look for in the API's logs. */
const secretsSeen = new Set<string>();

beforeAll(async () => {
  sandbox = await createIntercomSandbox({
    token: 'e2e-main-token',
    workspaces: [
      { appId: 'acme-eu', name: 'Acme EU', adminId: '7001' },
      { appId: 'acme-us', name: 'Acme US', adminId: '7002' },
    ],
    oauth: { clientId: 'e2e-client', clientSecret: 'e2e-client-secret' },
  });
  const sandboxPort = Number(new URL(await sandbox.listen({ port: 0, host: '127.0.0.1' })).port);
  const port = await freePort();
  apiUrl = `http://127.0.0.1:${port}`;
  api = startService('api', {
    REDIS_URL: testRedisUrl(),
    THREADLINE_PREFIX: prefix,
    CAPTURE_API_KEY: 'phc_e2e_oauth',
    INTERCOM_CLIENT_ID: 'e2e-client',
    INTERCOM_CLIENT_SECRET: 'e2e-client-secret',
    INTERCOM_API_BASE_URL: `http://127.0.0.1:${sandboxPort}`,
    // Intercom's page is another site than Threadline's (localhost vs 127.0.0.1): the SameSite=Lax
    // cookie must come back on the top-level redirect to the callback.
    INTERCOM_OAUTH_URL: `http://localhost:${sandboxPort}/oauth`,
    THREADLINE_PUBLIC_URL: apiUrl,
    THREADLINE_ENCRYPTION_KEY: encryptionKey,
    LOG_LEVEL: 'debug',
    HOST: '127.0.0.1',
    PORT: String(port),
  });
  await waitForReady(`${apiUrl}/readyz`, api);
  redis = createRedis(testRedisUrl(), 'producer', () => {});
  browser = await launchHeadlessChromium();
});
afterAll(async () => {
  await browser?.close();
  await api?.stop();
  await sandbox?.close();
  redis?.disconnect();
  await deleteKeysWithPrefix(testRedisUrl(), prefix);
});

function remember(url: string): void {
  const parsed = new URL(url);
  for (const name of ['code', 'state']) {
    const value = parsed.searchParams.get(name);
    if (value) secretsSeen.add(value);
  }
}

/** Clicks Install on Threadline's page and lands on the sandbox's authorize page. */
async function openAuthorizePage(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  page.on('request', (request) => remember(request.url()));
  await page.goto(`${apiUrl}/oauth/intercom`);
  await page.getByRole('button', { name: 'Install' }).click();
  await page.getByRole('heading', { name: 'Install this app?' }).waitFor();
  return page;
}

async function installInto(context: BrowserContext, workspace: string): Promise<Page> {
  const page = await openAuthorizePage(context);
  await page.getByLabel(workspace).check();
  await page.getByRole('button', { name: 'Approve' }).click();
  await page.getByRole('heading', { level: 1 }).waitFor();
  return page;
}

/** Approves on the sandbox's page but stops the browser at the callback: answers the callback URL. */
async function approveWithoutCallback(context: BrowserContext): Promise<string> {
  const page = await openAuthorizePage(context);
  let callbackUrl = '';
  // The sandbox's answer to Approve is a redirect to the callback: read it, and go no further.
  await page.route('**/oauth/decide', async (route) => {
    const answer = await route.fetch({ maxRedirects: 0 });
    callbackUrl = answer.headers().location ?? '';
    remember(callbackUrl);
    await route.abort();
  });
  await page
    .getByRole('button', { name: 'Approve' })
    .click()
    .catch(() => undefined);
  await expect.poll(() => callbackUrl).not.toBe('');
  await page.close();
  return callbackUrl;
}

const heading = (page: Page) => page.getByRole('heading', { level: 1 }).textContent();

describe('installing Threadline into Intercom workspaces (OAuth) in Chromium', () => {
  it('installs two workspaces: Install, Approve on the sandbox page, the success page with product id and keys', async () => {
    const context = await browser.newContext();
    const first = await installInto(context, 'Acme EU');
    expect(await heading(first)).toBe('Threadline is installed');
    expect(await first.locator('[data-product-id]').textContent()).toBe('intercom-acme-eu');
    const captureKey = await first.locator('[data-key="capture"]').textContent();
    const mcpKey = await first.locator('[data-key="mcp"]').textContent();
    expect(captureKey).toMatch(/^tlc_/);
    expect(mcpKey).toMatch(/^tlk_/);
    await first.getByText('Copy them now').waitFor();
    const cookies = await context.cookies(`${apiUrl}/oauth/intercom/callback`);
    // The binding cookie is spent: cleared by the callback.
    expect(cookies.filter((cookie) => cookie.name === 'threadline_oauth')).toEqual([]);

    const second = await installInto(context, 'Acme US');
    expect(await second.locator('[data-product-id]').textContent()).toBe('intercom-acme-us');
    expect(await second.locator('[data-key="capture"]').textContent()).not.toBe(captureKey);

    const store = new RedisWorkspaceStore(redis, new RedisKeys(prefix), new TokenCipher([encryptionKey]));
    expect((await store.list()).map((workspace) => [workspace.productId, workspace.adminId])).toEqual([
      ['intercom-acme-eu', '7001'],
      ['intercom-acme-us', '7002'],
    ]);
    const tokens = sandbox.issuedTokens();
    expect(await store.accessToken('intercom-acme-eu')).toBe(
      tokens.find((token) => token.appId === 'acme-eu')?.token,
    );
    expect(await store.accessToken('intercom-acme-us')).toBe(
      tokens.find((token) => token.appId === 'acme-us')?.token,
    );

    // The MCP key of one workspace reads its own product only.
    const own = await fetch(`${apiUrl}/v1/users/intercom-acme-eu/u1/activity`, {
      headers: { authorization: `Bearer ${mcpKey}` },
    });
    expect(own.status).toBe(200);
    const other = await fetch(`${apiUrl}/v1/users/intercom-acme-us/u1/activity`, {
      headers: { authorization: `Bearer ${mcpKey}` },
    });
    expect(other.status).toBe(403);

    // Each workspace's capture key records into its own product: one distinct_id, two users.
    const secondCaptureKey = (await second.locator('[data-key="capture"]').textContent()) ?? '';
    for (const [key, page] of [
      [captureKey ?? '', '/eu-billing'],
      [secondCaptureKey, '/us-billing'],
    ] as const) {
      const client = new PostHog(key, { host: apiUrl, flushAt: 1, flushInterval: 0 });
      client.capture({
        distinctId: 'shared-user',
        event: '$pageview',
        properties: { $current_url: `https://shop.example${page}` },
      });
      await client.shutdown();
    }
    const read = async () => {
      const answer = await fetch(`${apiUrl}/v1/users/intercom-acme-eu/shared-user/activity`, {
        headers: { authorization: `Bearer ${mcpKey}` },
      });
      return ((await answer.json()) as { actions: { page?: string }[] }).actions.map((action) => action.page);
    };
    await expect.poll(read, { timeout: 10_000 }).toEqual(['/eu-billing']);
    expect(await store.productOfCaptureKey(secondCaptureKey)).toBe('intercom-acme-us');
    const usStream = await redis.xrange(
      new RedisKeys(prefix).actions('intercom-acme-us', 'shared-user'),
      '-',
      '+',
    );
    expect(usStream.map(([, fields]) => fields[fields.indexOf('p') + 1])).toEqual(['/us-billing']);
    // A made-up key of the same shape is refused.
    const forged = await fetch(`${apiUrl}/batch/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ api_key: 'tlc_made_up', batch: [{ event: '$pageview', distinct_id: 'x' }] }),
    });
    expect(forged.status).toBe(401);
    await context.close();
  });

  it('sets the binding cookie HttpOnly and SameSite=Lax while the install is under way', async () => {
    const context = await browser.newContext();
    await openAuthorizePage(context);
    const [cookie] = (await context.cookies(`${apiUrl}/oauth/intercom/callback`)).filter(
      (each) => each.name === 'threadline_oauth',
    );
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/oauth/intercom' });
    await context.close();
  });

  it('refuses a forged state and a replayed one with a clear page', async () => {
    const context = await browser.newContext();
    const callbackUrl = await approveWithoutCallback(context);
    const forged = new URL(callbackUrl);
    forged.searchParams.set('state', randomBytes(32).toString('base64url'));
    const page = await context.newPage();
    const forgedAnswer = await page.goto(forged.href);
    expect(forgedAnswer?.status()).toBe(400);
    expect(await heading(page)).toBe('This install link is no longer valid');
    await page.getByRole('alert').waitFor();
    await page.getByRole('link', { name: 'Install again' }).waitFor();

    // The real state, in its own browser, works once; the second time it is a replay.
    const real = await context.newPage();
    await real.goto(callbackUrl);
    expect(await heading(real)).toBe('Threadline is installed');
    const replay = await context.newPage();
    const replayAnswer = await replay.goto(callbackUrl);
    expect(replayAnswer?.status()).toBe(400);
    expect(await heading(replay)).toBe('This install link is no longer valid');
    await context.close();
  });

  it('refuses a reused code with a clear page', async () => {
    const context = await browser.newContext();
    const used = new URL(await approveWithoutCallback(context));
    const page = await context.newPage();
    await page.goto(used.href);
    expect(await heading(page)).toBe('Threadline is installed');
    // A fresh install in the same browser, answered with the code that was already exchanged.
    const fresh = new URL(await approveWithoutCallback(context));
    fresh.searchParams.set('code', used.searchParams.get('code') ?? '');
    const answer = await page.goto(fresh.href);
    expect(answer?.status()).toBe(400);
    expect(await heading(page)).toBe('Intercom refused the install code');
    await context.close();
  });

  it('refuses a callback in a browser without the cookie, and Deny, with a clear page', async () => {
    const starter = await browser.newContext();
    const callbackUrl = await approveWithoutCallback(starter);
    const other = await browser.newContext();
    const page = await other.newPage();
    const answer = await page.goto(callbackUrl);
    expect(answer?.status()).toBe(400);
    expect(await heading(page)).toBe('This browser did not start the install');

    const denying = await openAuthorizePage(starter);
    await denying.getByRole('button', { name: 'Deny' }).click();
    await denying.getByRole('heading', { name: 'The install was cancelled' }).waitFor();
    await starter.close();
    await other.close();
  });

  it('never logs a token, a code or a state', () => {
    const output = api.output();
    expect(output).toContain('workspace installed');
    expect(secretsSeen.size).toBeGreaterThan(4);
    for (const secret of secretsSeen) expect(output).not.toContain(secret);
    for (const { token } of sandbox.issuedTokens()) expect(output).not.toContain(token);
  });
});
