import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { StoredAction } from '@threadline/core';
import { RedisKeys } from '@threadline/redis-store';
import { testRedisUrl } from '@threadline/test-helpers';
import { Redis } from 'ioredis';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchHeadlessChromium } from './headless-chromium.js';
import { startTestApi, type TestApi } from './test-api.js';

const apiKey = 'phc_test_key';
const identitySecret = 'browser-test-messenger-secret';
const userId = 'user-verified-browser-1';
let api: TestApi;
let apiUrl: string;

function actionsOf(distinctId: string): Promise<StoredAction[]> {
  return api.composed.deps.activity.listRecent({ productId: 'default', userId: distinctId }, 50);
}

async function waitForActions(
  distinctId: string,
  isDone: (descriptions: string[]) => boolean,
): Promise<string[]> {
  const until = Date.now() + 15_000;
  let descriptions: string[] = [];
  while (Date.now() < until) {
    descriptions = (await actionsOf(distinctId)).map((action) => action.description);
    if (isDone(descriptions)) return descriptions;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return descriptions;
}

const posthogBundle = fileURLToPath(import.meta.resolve('posthog-js/dist/array.full.no-external.js'));

/**
 * A product page as docs/capture.md tells a customer to write it: the backend renders the user's
 * hash into the page, the page registers it, then identifies.
 */
function productPage(userHash: string): string {
  return `<!doctype html>
<html>
<head><meta charset="utf-8"><title>Billing | Acme</title>
<script src="/posthog.js"></script>
<script>
  posthog.init(${JSON.stringify(apiKey)}, {
    api_host: ${JSON.stringify(apiUrl)},
    opt_out_useragent_filter: true,
    autocapture: true,
    capture_pageview: true,
    disable_session_recording: true,
    persistence: 'memory',
    loaded: () => { window.posthogLoaded = true; },
  });
</script>
</head>
<body>
  <h1>Billing</h1>
  <button id="login">Log in</button>
  <button id="upgrade">Upgrade plan</button>
  <script>
    document.getElementById('login').addEventListener('click', () => {
      posthog.register({ $user_hash: ${JSON.stringify(userHash)} });
      posthog.identify(${JSON.stringify(userId)});
    });
  </script>
</body>
</html>`;
}

describe('posthog-js in headless Chromium with $user_hash, CAPTURE_IDENTITY=require', () => {
  let pageServer: Server;
  let browser: Browser;
  let redis: Redis;

  beforeAll(async () => {
    api = await startTestApi({ INTERCOM_IDENTITY_SECRET: identitySecret });
    await api.app.listen({ port: 0, host: '127.0.0.1' });
    apiUrl = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}`;
    redis = new Redis(testRedisUrl());
    const bundle = readFileSync(posthogBundle);
    // The product's backend: computes the hash as docs/capture.md shows.
    const hash = createHmac('sha256', identitySecret).update(userId).digest('hex');
    pageServer = createServer((request, response) => {
      if (request.url === '/posthog.js') {
        response.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
      } else if (request.url?.startsWith('/billing')) {
        response.writeHead(200, { 'content-type': 'text/html' }).end(productPage(hash));
      } else {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
    browser = await launchHeadlessChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => pageServer?.close(resolve));
    redis?.disconnect();
    await api?.close();
  });

  it("stores the user's actions, the anonymous ones before login included, as verified", async () => {
    const page = await browser.newPage();
    await page.goto(`http://localhost:${(pageServer.address() as AddressInfo).port}/billing`);
    await page.waitForFunction(() => (globalThis as { posthogLoaded?: boolean }).posthogLoaded === true);
    const anonymousId = await page.evaluate(() =>
      (globalThis as unknown as { posthog: { get_distinct_id(): string } }).posthog.get_distinct_id(),
    );
    await page.click('#login');
    await page.click('#upgrade');

    const expected = [
      'Viewed Billing (/billing)',
      'Clicked "Log in" button on /billing',
      'Signed in',
      'Clicked "Upgrade plan" button on /billing',
    ];
    const descriptions = await waitForActions(userId, (lines) =>
      expected.every((line) => lines.includes(line)),
    );
    await page.close();
    expect(descriptions).toEqual(expect.arrayContaining(expected));
    const stored = await actionsOf(userId);
    expect(stored.every((action) => action.verified === undefined)).toBe(true);
    // The anonymous visit moved in through the verified $identify; nothing is left behind.
    expect(await actionsOf(anonymousId)).toEqual([]);
    const keys = new RedisKeys(api.config.prefix);
    expect(await redis.exists(keys.pendingActions('default', anonymousId))).toBe(0);
    const raw = (await redis.xrange(keys.actions('default', userId), '-', '+')).flat(2).join('\n');
    expect(raw).not.toContain(createHmac('sha256', identitySecret).update(userId).digest('hex'));
    const refused = (await api.app.inject({ method: 'GET', url: '/metrics' })).body
      .split('\n')
      .find((line) => line.includes('reason="unverified"'));
    expect(refused).toBeUndefined();
  });
});
