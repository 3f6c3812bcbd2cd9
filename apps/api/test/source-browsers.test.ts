import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { StoredAction } from '@threadline/core';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchHeadlessChromium } from './headless-chromium.js';
import { startTestApi, type TestApi } from './test-api.js';

const apiKey = 'phc_test_key';
let api: TestApi;
let apiUrl: string;
let browser: Browser;
let pageServer: Server;
let pageOrigin: string;
const bundles = new Map<string, string>();

/** Bundles a browser SDK for a test page, as a product would, without a front-end build step. */
async function bundle(source: string): Promise<string> {
  const result = await build({
    stdin: { contents: source, resolveDir: fileURLToPath(new URL('.', import.meta.url)), loader: 'js' },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.text ?? '';
}

/** The product's page: a pricing view, an icon button, a link, a signup form, a payment that fails. */
function productBody(script: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Billing | Acme</title></head>
<body>
  <h1>Billing</h1>
  <button id="retry" aria-label="Retry payment">↻</button>
  <a id="invoices" href="#invoices">Invoice history</a>
  <form id="signup" name="signup" action="/signup">
    <input id="company" name="company" type="text" aria-label="Company">
    <button id="create" type="submit">Create account</button>
  </form>
  <button id="pay">Pay now</button>
  <script src="/sdk.js"></script>
  <script>${script}</script>
</body></html>`;
}

function actionsOf(userId: string): Promise<StoredAction[]> {
  return api.composed.deps.activity.listRecent({ productId: 'default', userId }, 50);
}

async function waitForActions(userId: string, count: number): Promise<string[]> {
  const until = Date.now() + 15_000;
  let lines: string[] = [];
  while (Date.now() < until) {
    lines = (await actionsOf(userId)).map((action) => action.description);
    if (lines.length >= count) return lines;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return lines;
}

/** The context-quality figure of the PostHog browser test: lines that name what the user saw. */
function specificShare(lines: string[]): number {
  const specific = lines.filter(
    (line) => !/an unlabelled|an element|a form\b|a field\b|^Viewed \/$/.test(line),
  );
  return specific.length / lines.length;
}

/** Walks the journey: page view, icon button, link, the form (typed, submitted), sign-in, the failing payment. */
async function walkJourney(page: Page): Promise<void> {
  await page.click('#retry');
  await page.click('#invoices');
  await page.fill('#company', 'Globex secret-company-name');
  await page.click('h1');
  await page.click('#create');
  await page.click('#pay');
}

beforeAll(async () => {
  api = await startTestApi();
  await api.app.listen({ port: 0, host: '127.0.0.1' });
  apiUrl = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}`;
  bundles.set(
    'segment',
    await bundle(
      "import { AnalyticsBrowser } from '@segment/analytics-next'; window.AnalyticsBrowser = AnalyticsBrowser;",
    ),
  );
  bundles.set(
    'amplitude',
    await bundle("import * as amplitude from '@amplitude/analytics-browser'; window.amplitude = amplitude;"),
  );
  let current = { sdk: 'segment', script: '' };
  pageServer = createServer((request, response) => {
    const url = request.url ?? '/';
    if (url === '/sdk.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' }).end(bundles.get(current.sdk));
    } else if (url.startsWith(`/v1/projects/${apiKey}/settings`)) {
      // analytics.js's settings, served by the product's own host instead of Segment's CDN.
      response.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          integrations: {
            'Segment.io': { apiKey, apiHost: `${new URL(apiUrl).host}/segment/v1`, protocol: 'http' },
          },
          plan: { track: { __default: { enabled: true } } },
          remotePlugins: [],
        }),
      );
    } else if (url.startsWith('/_page/')) {
      const parsed = new URL(url, pageOrigin);
      current = { sdk: parsed.pathname.slice('/_page/'.length), script: parsed.searchParams.get('s') ?? '' };
      response.writeHead(204).end();
    } else {
      response.writeHead(200, { 'content-type': 'text/html' }).end(productBody(current.script));
    }
  });
  await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
  // localhost vs 127.0.0.1: the API is another origin for the page.
  pageOrigin = `http://localhost:${(pageServer.address() as AddressInfo).port}`;
  browser = await launchHeadlessChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => pageServer?.close(resolve));
  await api.close();
});

async function openPage(
  sdk: string,
  script: string,
): Promise<{ page: Page; failed: string[]; errors: string[] }> {
  await fetch(`${pageOrigin}/_page/${sdk}?s=${encodeURIComponent(script)}`);
  const page = await browser.newPage();
  const failed: string[] = [];
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('requestfailed', (request) => {
    if (request.url().startsWith(apiUrl)) failed.push(`${request.url()} ${request.failure()?.errorText}`);
  });
  page.on('response', (response) => {
    if (response.url().startsWith(apiUrl) && response.status() !== 200 && response.status() !== 204)
      failed.push(`${response.url()} ${response.status()}`);
  });
  await page.goto(`${pageOrigin}/billing`);
  return { page, failed, errors };
}

describe('analytics.js (@segment/analytics-next) in headless Chromium, on another origin', () => {
  // Batching (`/b`) keeps the order of the calls around `identify`: one request per event may
  // arrive out of order, and a merged visitor's actions are appended after what the user already has.
  it('becomes specific, redacted lines under the identified user, in order (batching delivery)', async () => {
    const userId = 'user-ajs-1';
    const script = `
      const analytics = AnalyticsBrowser.load(
        { writeKey: ${JSON.stringify(apiKey)}, cdnURL: location.origin },
        { integrations: { 'Segment.io': {
          apiHost: ${JSON.stringify(`${new URL(apiUrl).host}/segment/v1`)}, protocol: 'http',
          deliveryStrategy: { strategy: 'batching', config: { size: 10, timeout: 300 } },
        } } },
      );
      window.analytics = analytics;
      analytics.page('Billing');
      document.getElementById('retry').addEventListener('click', () => analytics.track('Payment Retried', { plan: 'Pro' }));
      analytics.trackLink(document.getElementById('invoices'), 'Invoice History Opened');
      document.getElementById('signup').addEventListener('submit', (event) => {
        event.preventDefault();
        analytics.track('Signup Form Submitted', { step: 'company' });
        analytics.identify(${JSON.stringify(userId)}, { email: 'ajs.user@example.com' });
      });
      document.getElementById('pay').addEventListener('click', () =>
        analytics.track('Payment Failed', { error: 'Card declined for ajs.user@example.com' }));
      analytics.ready(() => { window.ready = true; });`;
    const { page, failed, errors } = await openPage('segment', script);
    await page.waitForFunction(() => (globalThis as { ready?: boolean }).ready === true);
    await walkJourney(page);
    const lines = await waitForActions(userId, 6);
    await page.close();
    expect(failed).toEqual([]);
    expect(errors).toEqual([]);
    expect(lines).toEqual([
      'Viewed Billing (/billing)',
      'Payment retried (plan: Pro)',
      'Invoice history opened',
      'Signup form submitted (step: company)',
      'Signed in',
      'Payment failed (error: Card declined for [email])',
    ]);
    expect(lines.join('\n')).not.toMatch(/ajs\.user@example\.com/);
    expect(specificShare(lines)).toBeGreaterThanOrEqual(0.95);
  });
});

describe('@amplitude/analytics-browser with autocapture in headless Chromium, on another origin', () => {
  it('reads its autocaptured page views, clicks, fields and forms as specifically as PostHog autocapture', async () => {
    const userId = 'user-amp-browser-1';
    const script = `
      amplitude.init(${JSON.stringify(apiKey)}, {
        serverUrl: ${JSON.stringify(`${apiUrl}/amplitude/2/httpapi`)},
        fetchRemoteConfig: false,
        flushIntervalMillis: 100,
        autocapture: { pageViews: { trackHistoryChanges: 'pathOnly' }, elementInteractions: true, formInteractions: true, frustrationInteractions: true,
          sessions: false, attribution: false, fileDownloads: false, webVitals: false, networkTracking: false },
      }).promise.then(() => { window.ready = true; });
      document.getElementById('signup').addEventListener('submit', (event) => {
        event.preventDefault();
        amplitude.setUserId(${JSON.stringify(userId)});
      });
      document.getElementById('pay').addEventListener('click', () =>
        amplitude.track('Payment Failed', { error: 'Card declined for amp.user@example.com' }));`;
    const { page, failed, errors } = await openPage('amplitude', script);
    await page.waitForFunction(() => (globalThis as { ready?: boolean }).ready === true);
    const deviceId = await page.evaluate(() =>
      (globalThis as unknown as { amplitude: { getDeviceId(): string } }).amplitude.getDeviceId(),
    );
    await walkJourney(page);
    const lines = await waitForActions(userId, 9);
    await page.close();
    expect(failed).toEqual([]);
    expect(errors).toEqual([]);
    expect(lines).toEqual([
      'Viewed Billing (/billing)',
      'Clicked "Retry payment" button on /billing',
      // The link only changes the hash: with trackHistoryChanges 'pathOnly' that is no page view (with
      // 'all' it is one, in either order with the click, as the SDK emits both for one click).
      'Clicked "Invoice history" link on /billing',
      // Amplitude masks a field's attributes (aria-label included) but keeps its id.
      'Changed the "company" field on /billing',
      'Started filling in the "signup" form on /billing',
      'Clicked "Create account" button on /billing',
      'Submitted the "signup" form on /billing',
      'Clicked "Pay now" button on /billing',
      'Payment failed (error: Card declined for [email])',
    ]);
    expect(lines.join('\n')).not.toMatch(/Globex|secret-company-name|amp\.user@example\.com/);
    expect(await actionsOf(deviceId)).toEqual([]);
    expect(specificShare(lines)).toBeGreaterThanOrEqual(0.95);
  });
});
