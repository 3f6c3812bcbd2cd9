/**
 * Records what posthog-js really sends for icon buttons, image links, `<svg><title>` icons and
 * fields with and without labels, clicked and changed in headless Chromium, into
 * packages/capture/test/fixtures/posthog-js-1.434-accessible-names.json. Run by hand when posthog-js
 * is upgraded: `pnpm --filter @threadline/api exec tsx scripts/record-accessible-names.ts`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { flagsResponse, remoteConfigResponse } from '@threadline/capture';
import { launchHeadlessChromium } from '../test/headless-chromium.js';

const bundle = readFileSync(fileURLToPath(import.meta.resolve('posthog-js/dist/array.full.no-external.js')));
const version = JSON.parse(
  readFileSync(fileURLToPath(import.meta.resolve('posthog-js/package.json')), 'utf8'),
).version;

const page = (apiHost: string) => `<!doctype html>
<html><head><meta charset="utf-8"><title>Invoices | Acme</title>
<script src="/posthog.js"></script>
<script>
  posthog.init('phc_fixture', { api_host: ${JSON.stringify(apiHost)}, autocapture: true, capture_pageview: false,
    disable_compression: true, disable_session_recording: true, persistence: 'memory', opt_out_useragent_filter: true,
    request_batching: false, loaded: () => { window.loaded = true; } });
</script></head>
<body>
  <button id="retry" aria-label="Retry payment">↻</button>
  <button id="delete" class="icon-button" aria-label="Delete invoice"><svg width="16" height="16"><path id="delete-path" d="M0 0h16v16H0z"/></svg></button>
  <a id="home" href="/home"><img id="logo" alt="Acme home" width="16" height="16" src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></a>
  <button id="settings"><svg role="img" width="16" height="16"><title>Settings</title><path id="settings-path" d="M0 0h16v16H0z"/></svg></button>
  <h2 id="dialog-title">Close billing dialog</h2>
  <button id="close" aria-labelledby="dialog-title">×</button>
  <form name="invoice-search">
    <label for="email">Work email</label><input id="email" name="email" type="email">
    <input id="search" name="q" placeholder="Search invoices">
    <input id="coupon" aria-label="Coupon code">
    <input id="bare">
  </form>
</body></html>`;

const events: unknown[] = [];
const api = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    response.setHeader('access-control-allow-origin', request.headers.origin ?? '*');
    response.setHeader('access-control-allow-headers', 'content-type');
    if (request.method === 'POST' && request.url?.startsWith('/e')) {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const sent = Array.isArray(body) ? body : Array.isArray(body.batch) ? body.batch : [body];
      for (const event of sent) {
        if (event.event !== '$autocapture') continue;
        const { $event_type, $elements_chain, $el_text, $pathname } = event.properties;
        events.push({
          event: event.event,
          properties: { $event_type, $elements_chain, $el_text, $pathname },
        });
      }
    }
    response.setHeader('content-type', 'application/json');
    // posthog-js starts with what Threadline answers it, autocapture on.
    const answer = request.url?.startsWith('/flags')
      ? flagsResponse()
      : request.url?.startsWith('/array/')
        ? remoteConfigResponse('phc_fixture')
        : { status: 1 };
    response.end(JSON.stringify(answer));
  });
});
const site = createServer((request, response) => {
  if (request.url === '/posthog.js')
    response.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
  else response.writeHead(200, { 'content-type': 'text/html' }).end(page(apiUrl));
});
await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
const apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
const browser = await launchHeadlessChromium();
const tab = await browser.newPage();
await tab.goto(`http://localhost:${(site.address() as AddressInfo).port}/invoices`);
await tab.waitForFunction(() => (globalThis as { loaded?: boolean }).loaded === true);
for (const selector of ['#retry', '#delete-path', '#logo', '#settings-path', '#close']) {
  await tab.click(selector, { force: true });
}
for (const selector of ['#email', '#search', '#coupon', '#bare']) {
  await tab.fill(selector, 'typed value');
  await tab.click('body', { position: { x: 1, y: 1 } });
}
const until = Date.now() + 10_000;
while (events.length < 9 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 100));
await browser.close();
api.close();
site.close();
const out = new URL(
  '../../../packages/capture/test/fixtures/posthog-js-1.434-accessible-names.json',
  import.meta.url,
);
writeFileSync(
  out,
  `${JSON.stringify({ recordedWith: `posthog-js ${version}, headless Chromium`, events }, null, 2)}\n`,
);
process.stdout.write(`${events.length} events written to ${fileURLToPath(out)}\n`);
