import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { StoredAction } from '@threadline/core';
import type { Browser } from 'playwright-core';
import { PostHog } from 'posthog-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchHeadlessChromium } from './headless-chromium.js';
import { startTestApi, type TestApi } from './test-api.js';

const apiKey = 'phc_test_key';
let api: TestApi;
let apiUrl: string;

function actionsOf(userId: string): Promise<StoredAction[]> {
  return api.composed.deps.activity.listRecent({ productId: 'default', userId }, 50);
}

/** Polls the user's stored actions until `isDone` holds or the deadline passes; returns the last read. */
async function waitForActions(
  userId: string,
  isDone: (descriptions: string[]) => boolean,
  deadlineMs = 15_000,
): Promise<string[]> {
  const until = Date.now() + deadlineMs;
  let descriptions: string[] = [];
  while (Date.now() < until) {
    descriptions = (await actionsOf(userId)).map((action) => action.description);
    if (isDone(descriptions)) return descriptions;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return descriptions;
}

beforeAll(async () => {
  api = await startTestApi();
  await api.app.listen({ port: 0, host: '127.0.0.1' });
  apiUrl = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await api.close();
});

describe('posthog-node 5', () => {
  it('captures and identifies into stored actions', async () => {
    const client = new PostHog(apiKey, { host: apiUrl, flushAt: 1, flushInterval: 0 });
    const errors: unknown[] = [];
    client.on('error', (error) => errors.push(error));
    client.capture({
      distinctId: 'user-node-1',
      event: 'invoice_paid',
      properties: { plan: 'Pro', amount: 49 },
    });
    client.identify({ distinctId: 'user-node-1', properties: { email: 'node.user@example.com' } });
    client.capture({
      distinctId: 'user-node-1',
      event: 'report exported',
      properties: { format: 'csv', email: 'node.user@example.com' },
    });
    await client.shutdown();
    expect(errors).toEqual([]);
    const descriptions = await waitForActions('user-node-1', (lines) => lines.length >= 3);
    // `format` is not an allowlisted property and `email` never is: only the event name remains.
    expect(descriptions).toEqual(['Invoice paid (plan: Pro)', 'Signed in', 'Report exported']);
  });
});

const posthogBundle = fileURLToPath(import.meta.resolve('posthog-js/dist/array.full.no-external.js'));

function productPage(apiHost: string): string {
  return `<!doctype html>
<html>
<head><meta charset="utf-8"><title>Billing | Acme</title>
<script src="/posthog.js"></script>
<script>
  posthog.init(${JSON.stringify(apiKey)}, {
    api_host: ${JSON.stringify(apiHost)},
    opt_out_useragent_filter: true,
    autocapture: true,
    capture_pageview: true,
    capture_pageleave: true,
    capture_exceptions: true,
    disable_session_recording: true,
    persistence: 'memory',
    loaded: () => { window.posthogLoaded = true; },
  });
</script>
</head>
<body>
  <h1>Billing</h1>
  <button id="upgrade" class="btn btn-primary">Upgrade plan</button>
  <a id="docs" href="#invoices">Invoice history</a>
  <form id="signup" name="signup">
    <label for="company">Company</label>
    <input id="company" name="company" type="text">
    <button type="submit">Create account</button>
  </form>
  <button id="pay" data-attr="pay-now">Pay now</button>
  <script>
    document.getElementById('signup').addEventListener('submit', (event) => {
      event.preventDefault();
      posthog.identify('user-browser-1', { email: 'browser.user@example.com' });
    });
    document.getElementById('pay').addEventListener('click', () => {
      setTimeout(() => { throw new Error('Card validation failed'); });
    });
  </script>
</body>
</html>`;
}

describe('posthog-js 1.434 in headless Chromium, on a page from another origin', () => {
  let pageServer: Server;
  let pageUrl: string;
  let browser: Browser;

  beforeAll(async () => {
    const bundle = readFileSync(posthogBundle);
    pageServer = createServer((request, response) => {
      if (request.url === '/posthog.js') {
        response.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
      } else if (request.url === '/' || request.url?.startsWith('/billing')) {
        response.writeHead(200, { 'content-type': 'text/html' }).end(productPage(apiUrl));
      } else {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
    // localhost vs 127.0.0.1 and another port: the browser treats the API as cross-origin.
    pageUrl = `http://localhost:${(pageServer.address() as AddressInfo).port}/billing`;
    browser = await launchHeadlessChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => pageServer?.close(resolve));
  });

  it('stores a specific, redacted line for each thing the user did, under the identified user', async () => {
    const page = await browser.newPage();
    const apiRequests: { method: string; path: string; contentType: string | undefined; status?: number }[] =
      [];
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('requestfinished', async (request) => {
      if (!request.url().startsWith(apiUrl)) return;
      const response = await request.response();
      apiRequests.push({
        method: request.method(),
        path: request.url().slice(apiUrl.length),
        contentType: request.headers()['content-type'],
        ...(response ? { status: response.status() } : {}),
      });
    });
    const failed: string[] = [];
    page.on('requestfailed', (request) => {
      if (request.url().startsWith(apiUrl)) failed.push(`${request.url()} ${request.failure()?.errorText}`);
    });

    await page.goto(pageUrl);
    await page.waitForFunction(() => (globalThis as { posthogLoaded?: boolean }).posthogLoaded === true);
    const anonymousId = await page.evaluate(() =>
      (globalThis as unknown as { posthog: { get_distinct_id(): string } }).posthog.get_distinct_id(),
    );
    await page.click('#upgrade');
    await page.click('#docs');
    await page.fill('#company', 'Globex secret-company-name');
    await page.click('body');
    await page.click('button[type=submit]');
    await page.click('#pay');

    const expected = [
      'Viewed Billing (/billing)',
      'Clicked "Upgrade plan" button on /billing',
      'Clicked "Invoice history" link on /billing',
      'Changed the "company" field on /billing',
      'Clicked "Create account" button on /billing',
      'Submitted the "signup" form on /billing',
      'Signed in',
      'Clicked "Pay now" button on /billing',
    ];
    const sawError = (line: string) => /^Saw an error on \/billing: .*Card validation failed/.test(line);
    const descriptions = await waitForActions(
      'user-browser-1',
      (lines) => expected.every((line) => lines.includes(line)) && lines.some(sawError),
    );
    const client = await page.evaluate(() => {
      const posthog = (
        globalThis as unknown as { posthog: { compression?: string; get_distinct_id(): string } }
      ).posthog;
      return { compression: posthog.compression, distinctId: posthog.get_distinct_id() };
    });
    await page.close();

    expect(failed).toEqual([]);
    expect(descriptions).toEqual(expect.arrayContaining(expected));
    expect(descriptions.filter(sawError)).toHaveLength(1);
    // The pre-login actions moved to the user, including the batch posthog-js sent after `$identify`.
    expect(await actionsOf(anonymousId)).toEqual([]);
    expect(descriptions.join('\n')).not.toMatch(/Globex|secret-company-name|browser\.user@example\.com/);

    const specific = descriptions.filter(
      (line) =>
        !/an unlabelled|an element|a form|a field/.test(line) &&
        (/ on \/| \(\/|^Viewed \//.test(line) || line === 'Signed in'),
    );
    expect(specific.length / descriptions.length).toBeGreaterThanOrEqual(0.95);

    // What the real client did on the wire: its start-up calls, gzip as text/plain, all answered 200.
    expect(apiRequests.some((request) => request.path.startsWith(`/array/${apiKey}/config`))).toBe(true);
    expect(apiRequests.some((request) => request.path.startsWith('/flags/?v=2'))).toBe(true);
    const captures = apiRequests.filter((request) => request.path.startsWith('/e/'));
    expect(captures.length).toBeGreaterThan(0);
    // Our config made it choose gzip, which 1.434 posts as text/plain with no hint in the URL.
    expect(client.compression).toBe('gzip-js');
    expect(captures.every((request) => request.contentType?.startsWith('text/plain'))).toBe(true);
    expect(apiRequests.every((request) => request.status === 200)).toBe(true);
    expect(client.distinctId).toBe('user-browser-1');
    expect(pageErrors).toEqual(['Card validation failed']);
  });
});
