import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { StoredAction } from '@threadline/core';
import { type FakeAnswer, type FakePostHog, startFakePostHog } from '@threadline/test-helpers';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchHeadlessChromium } from './headless-chromium.js';
import { startTestApi, type TestApi } from './test-api.js';

const apiKey = 'phc_test_key';
/** The API the current tests send to: Threadline's own routes, or the passthrough to `upstream`. */
let api: TestApi;
let apiUrl: string;
const apis = new Map<Mode, { api: TestApi; url: string }>();
type Mode = 'own routes' | 'passthrough';
/** Segment's and Amplitude's stand-in behind the passthrough: their answers, CORS as they send it. */
let upstream: FakePostHog;
const sourceLikeAnswer: FakeAnswer = (request, response) => {
  const origin = request.headers.origin;
  if (origin) response.setHeader('access-control-allow-origin', origin);
  if (request.method === 'OPTIONS') {
    response.setHeader('access-control-allow-methods', 'POST, OPTIONS');
    response.setHeader(
      'access-control-allow-headers',
      request.headers['access-control-request-headers'] ?? '*',
    );
    response.writeHead(204).end();
  } else if (request.url.startsWith('/v1/')) {
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"success":true}');
  } else {
    response
      .writeHead(200, { 'content-type': 'application/json' })
      .end('{"code":200,"events_ingested":1,"payload_size_bytes":10,"server_upload_time":1}');
  }
};
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
  upstream = await startFakePostHog(sourceLikeAnswer);
  for (const [mode, env] of [
    ['own routes', {}],
    ['passthrough', { SEGMENT_UPSTREAM: `${upstream.url}/v1`, AMPLITUDE_UPSTREAM: upstream.url }],
  ] as const) {
    const started = await startTestApi(env);
    await started.app.listen({ port: 0, host: '127.0.0.1' });
    apis.set(mode, {
      api: started,
      url: `http://127.0.0.1:${(started.app.server.address() as AddressInfo).port}`,
    });
  }
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
  for (const { api: started } of apis.values()) await started.close();
  await upstream?.close();
});

/** Sends the next tests to `mode`'s API. */
function use(mode: Mode): void {
  const chosen = apis.get(mode);
  if (!chosen) throw new Error(`no API for ${mode}`);
  ({ api, url: apiUrl } = chosen);
}

/** Every body the passthrough forwarded to the upstream under `path` (the upstream's own path). */
function forwardedBodies(path: RegExp): string[] {
  return upstream.received
    .filter((request) => request.method === 'POST' && path.test(request.url))
    .map((request) => request.body.toString('base64'));
}

async function openPage(
  sdk: string,
  script: string,
): Promise<{ page: Page; failed: string[]; errors: string[]; sent: Map<string, string[]> }> {
  await fetch(`${pageOrigin}/_page/${sdk}?s=${encodeURIComponent(script)}`);
  const page = await browser.newPage();
  const failed: string[] = [];
  const errors: string[] = [];
  /** The bodies the page POSTed to the API, by path. */
  const sent = new Map<string, string[]>();
  page.on('request', (request) => {
    if (!request.url().startsWith(apiUrl) || request.method() !== 'POST') return;
    const path = new URL(request.url()).pathname;
    sent.set(path, [
      ...(sent.get(path) ?? []),
      (request.postDataBuffer() ?? Buffer.alloc(0)).toString('base64'),
    ]);
  });
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('requestfailed', (request) => {
    if (request.url().startsWith(apiUrl)) failed.push(`${request.url()} ${request.failure()?.errorText}`);
  });
  page.on('response', (response) => {
    if (response.url().startsWith(apiUrl) && response.status() !== 200 && response.status() !== 204)
      failed.push(`${response.url()} ${response.status()}`);
  });
  await page.goto(`${pageOrigin}/billing`);
  return { page, failed, errors, sent };
}

describe.each(['own routes', 'passthrough'] as const)("browser SDKs through Threadline's %s", (mode) => {
  beforeAll(() => use(mode));

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
      const { page, failed, errors, sent } = await openPage('segment', script);
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
      if (mode === 'passthrough') {
        // Every batch analytics.js sent reached Segment byte for byte.
        const batches = sent.get('/segment/v1/b') ?? [];
        expect(batches.length).toBeGreaterThan(0);
        expect(forwardedBodies(/^\/v1\/b$/)).toEqual(batches);
      }
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
      const { page, failed, errors, sent } = await openPage('amplitude', script);
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
      if (mode === 'passthrough') {
        // Every upload the SDK made reached Amplitude byte for byte.
        const uploads = sent.get('/amplitude/2/httpapi') ?? [];
        expect(uploads.length).toBeGreaterThan(0);
        expect(forwardedBodies(/^\/2\/httpapi$/)).toEqual(uploads);
      }
    });
  });
});
