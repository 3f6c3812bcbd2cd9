import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchHeadlessChromium } from './headless-chromium.js';
import { startTestApi, type TestApi } from './test-api.js';

const adminToken = 'admin-token-browser-0123456789';
const readToken = 'read-token-browser-0123456789';
let api: TestApi;
let apiUrl: string;
let browser: Browser;
let attackerServer: Server;
let attackerUrl: string;

/** Another site's page that, once opened, submits a form to add a `link` job through Bull Board. */
function attackerPage(target: string): string {
  return `<!doctype html><html><body>
<form id="f" method="post" action="${target}/admin/queues/api/queues/link/add">
  <input name="name" value="link-conversation">
  <input name="data" value="attacker">
</form>
<script>document.getElementById('f').submit();</script>
</body></html>`;
}

beforeAll(async () => {
  api = await startTestApi({ ADMIN_TOKEN: adminToken, ADMIN_READ_TOKEN: readToken });
  await api.app.listen({ port: 0, host: '127.0.0.1' });
  apiUrl = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}`;
  attackerServer = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html' }).end(attackerPage(apiUrl));
  });
  await new Promise<void>((resolve) => attackerServer.listen(0, '127.0.0.1', resolve));
  // 127.0.0.1 on another port: another origin but the same site, so the SameSite=Strict cookie is sent
  // and only the Origin check stands between the page and the dashboard.
  attackerUrl = `http://127.0.0.1:${(attackerServer.address() as AddressInfo).port}/`;
  browser = await launchHeadlessChromium();
});
afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => attackerServer?.close(resolve));
  await api.close();
});

describe('the queue dashboard in headless Chromium', () => {
  it('logs in through the form, shows Bull Board, and its own buttons work', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${apiUrl}/admin/queues`);
    expect(new URL(page.url()).pathname).toBe('/admin/login');
    await page.getByLabel('Admin token').fill(adminToken);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${apiUrl}/admin/queues?login`);
    await page.getByText('summaries').first().waitFor();
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({
      name: 'threadline_admin',
      httpOnly: true,
      secure: true,
      sameSite: 'Strict',
    });
    // The dashboard's own calls carry this origin and pass.
    const status = await page.evaluate(
      async () =>
        (await fetch('/admin/queues/api/queues/summaries/clean/completed', { method: 'PUT' })).status,
    );
    expect(status).toBe(200);
    await context.close();
  });

  it('refuses a form another page submits with the logged-in cookie: no job is added', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${apiUrl}/admin/login`);
    await page.getByLabel('Admin token').fill(adminToken);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${apiUrl}/admin/queues?login`);
    const before = await api.composed.deps.queues.queues.link.count();

    const attacker = await context.newPage();
    await attacker.goto(attackerUrl);
    await attacker.waitForURL(`${apiUrl}/admin/queues/api/queues/link/add`);
    expect(await attacker.locator('body').textContent()).toContain('cross_origin');
    expect(await api.composed.deps.queues.queues.link.count()).toBe(before);
    await context.close();
  });

  it('ADMIN_READ_TOKEN lands on the read-only board and cannot pause a queue from it', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${apiUrl}/admin/login`);
    await page.getByLabel('Admin token').fill(readToken);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${apiUrl}/admin/queues-read-only?login`);
    await page.getByText('summaries').first().waitFor();
    const status = await page.evaluate(
      async () => (await fetch('/admin/queues-read-only/api/queues/link/pause', { method: 'PUT' })).status,
    );
    expect(status).toBe(403);
    expect(await api.composed.deps.queues.queues.link.isPaused()).toBe(false);
    await context.close();
  });
});
