import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { IntercomSandbox } from '@threadline/intercom-sandbox';
import {
  type FakePostHog,
  posthogLikeAnswer,
  startFakePostHog,
  uniquePrefix,
} from '@threadline/test-helpers';
import { launchHeadlessChromium } from '@threadline/test-helpers/chromium';
import type { Browser } from 'playwright-core';
import { PostHog } from 'posthog-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoopStack, startLoopStack } from './processes.js';

const captureKey = 'phc_passthrough_e2e';
const clientSecret = 'e2e_client_secret';
const userId = 'user-passthrough-1';
const posthogDist = dirname(fileURLToPath(import.meta.resolve('posthog-js/dist/array.js')));

let posthog: FakePostHog;
let stack: LoopStack;
let sandbox: IntercomSandbox;
let apiUrl: string;
let pageServer: Server;
let pageUrl: string;
let browser: Browser;

/** A product page set up as docs/capture.md says: the PostHog snippet's script and api_host on Threadline. */
function productPage(): string {
  return `<!doctype html>
<html>
<head><meta charset="utf-8"><title>Billing | Acme</title>
<script src="${apiUrl}/static/array.js"></script>
<script>
  posthog.init(${JSON.stringify(captureKey)}, {
    api_host: ${JSON.stringify(apiUrl)},
    ui_host: 'https://us.posthog.com',
    opt_out_useragent_filter: true,
    autocapture: true,
    capture_pageview: true,
    persistence: 'memory',
    loaded: () => { window.posthogLoaded = true; },
  });
  posthog.onFeatureFlags(() => {
    if (posthog.isFeatureEnabled('new-billing')) document.getElementById('plan').textContent = 'New billing page';
  });
</script>
</head>
<body>
  <h1 id="plan">Old billing page</h1>
  <button id="upgrade">Upgrade plan</button>
  <button id="login">Log in</button>
  <script>
    document.getElementById('login').addEventListener('click', () => posthog.identify(${JSON.stringify(userId)}));
  </script>
</body>
</html>`;
}

function noteLines(conversationId: string): string[] {
  return sandbox
    .notes(conversationId)
    .flatMap((part) => [...part.body.matchAll(/<p>\[\d+\] (.*?)<\/p>/g)].map((match) => match[1] ?? ''));
}

async function waitFor<T>(
  read: () => T | Promise<T>,
  isDone: (value: T) => boolean,
  what: string,
): Promise<T> {
  const until = Date.now() + 30_000;
  let value = await read();
  while (!isDone(value) && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    value = await read();
  }
  if (isDone(value)) return value;
  throw new Error(
    `timed out waiting for ${what}, last seen: ${JSON.stringify(value)}; worker said:\n${stack.worker.output().slice(-3000)}`,
  );
}

const decoded = (body: Buffer) => (body[0] === 0x1f && body[1] === 0x8b ? gunzipSync(body) : body).toString();

beforeAll(async () => {
  posthog = await startFakePostHog(
    posthogLikeAnswer({ flags: { 'new-billing': true }, staticDir: posthogDist }),
  );
  stack = await startLoopStack({
    prefix: uniquePrefix('e2e-passthrough'),
    captureKey,
    clientSecret,
    token: 'e2e-sandbox-token',
    env: { POSTHOG_UPSTREAM: posthog.url, NOTE_COALESCE_MS: '200', SUMMARIZE_AFTER_NOTES: '1000' },
  });
  ({ sandbox, apiUrl } = stack);
  pageServer = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html' }).end(productPage());
  });
  await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
  // localhost vs 127.0.0.1: the page and Threadline are different origins, as in production.
  pageUrl = `http://localhost:${(pageServer.address() as AddressInfo).port}/billing`;
  browser = await launchHeadlessChromium();
});
afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => pageServer?.close(resolve));
  await stack?.close();
  await posthog?.close();
});

describe('PostHog passthrough: posthog-js and posthog-node pointed at Threadline with POSTHOG_UPSTREAM', () => {
  it('keeps PostHog working (flags, config, lazy scripts, recordings, capture bytes) and writes the notes', async () => {
    const page = await browser.newPage();
    const sent: { url: string; body: Buffer }[] = [];
    const failed: string[] = [];
    page.on('request', (request) => {
      const body = request.postDataBuffer();
      if (request.url().startsWith(apiUrl) && body)
        sent.push({ url: request.url().slice(apiUrl.length), body });
    });
    page.on('requestfailed', (request) => failed.push(`${request.url()} ${request.failure()?.errorText}`));

    await page.goto(pageUrl);
    await page.waitForFunction(() => (globalThis as { posthogLoaded?: boolean }).posthogLoaded === true);
    // A flag PostHog sets changes the page.
    await page.waitForFunction("document.getElementById('plan')?.textContent === 'New billing page'");
    await page.click('#upgrade');
    await page.click('#login');
    for (let index = 0; index < 5; index += 1) {
      await page.evaluate(`document.body.insertAdjacentHTML('beforeend', '<p>change ${index}</p>')`);
      await page.waitForTimeout(200);
    }

    const paths = () => posthog.received.map((request) => `${request.method} ${request.url.split('?')[0]}`);
    await waitFor(paths, (seen) => seen.includes('POST /s/'), 'a session recording upstream');
    expect(paths()).toContain('GET /static/array.js');
    expect(paths()).toContain(`GET /array/${captureKey}/config`);
    expect(paths().some((path) => path === 'POST /flags/')).toBe(true);
    // The recorder is one of posthog-js's lazy /static scripts.
    expect(paths().some((path) => /^GET \/static\/([\d.]+\/)?lazy-recorder\.js$/.test(path))).toBe(true);

    // Every capture and recording body reached PostHog byte for byte (posthog-js gzips them).
    const upstreamBodies = new Set(
      posthog.received.map((request) => `${request.url} ${request.body.toString('base64')}`),
    );
    const posts = sent.filter(({ url }) => /^\/(e|i\/v0\/e|s|batch)\//.test(url));
    expect(posts.some(({ url }) => url.startsWith('/s/'))).toBe(true);
    expect(posts.some(({ body }) => body[0] === 0x1f && body[1] === 0x8b)).toBe(true);
    const isForwarded = ({ url, body }: { url: string; body: Buffer }) =>
      upstreamBodies.has(`${url} ${body.toString('base64')}`);
    await waitFor(() => posts.every(isForwarded), Boolean, 'every body upstream');
    expect(failed).toEqual([]);
    for (const request of posthog.received) {
      expect(request.headers.host).toBe(new URL(posthog.url).host);
      expect(request.headers.cookie).toBeUndefined();
    }

    // Intercom: the user opens a conversation; Threadline's copy becomes the pre-chat note.
    const opened = await fetch(`${sandbox.url()}/_sandbox/conversations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        external_id: userId,
        body: 'The upgrade does nothing',
        webhook: { url: `${apiUrl}/webhooks/intercom`, clientSecret },
      }),
    });
    const { conversation } = (await opened.json()) as { conversation: { id: string } };
    const prechat = await waitFor(
      () => noteLines(conversation.id),
      (lines) => lines.includes('Clicked &quot;Upgrade plan&quot; button on /billing'),
      'the pre-chat note',
    );
    expect(prechat).toContain('Viewed Billing (/billing)');

    // posthog-node through the same proxy: flags from PostHog, its batch to PostHog and into the notes.
    const client = new PostHog(captureKey, { host: apiUrl, flushAt: 1, flushInterval: 0 });
    expect(await client.getFeatureFlag('new-billing', userId)).toBe(true);
    client.capture({ distinctId: userId, event: 'invoice_paid', properties: { plan: 'Pro' } });
    await client.shutdown();
    const batches = posthog.received.filter((request) => request.url.startsWith('/batch'));
    expect(batches.some((request) => decoded(request.body).includes('invoice_paid'))).toBe(true);
    await waitFor(
      () => noteLines(conversation.id),
      (lines) => lines.includes('Invoice paid (plan: Pro)'),
      'the live note from posthog-node',
    );
    await page.close();
  });
});
