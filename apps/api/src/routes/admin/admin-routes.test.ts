import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../../test/test-api.js';

const adminToken = 'admin-token-0123456789abcdef';
const readToken = 'read-token-0123456789abcdef';
const host = 'threadline.example';
const sameOrigin = `https://${host}`;

const linkJob = JSON.stringify({
  name: 'link-conversation',
  data: { notificationId: 'n-evil', conversationId: '777', contact: { externalId: 'victim-42' } },
});

function cookieFrom(response: LightMyRequestResponse): string {
  const header = String(response.headers['set-cookie'] ?? '');
  return header.split(';')[0] ?? '';
}

describe('/admin with ADMIN_TOKEN and ADMIN_READ_TOKEN', () => {
  let api: TestApi;
  const inject = (options: InjectOptions) =>
    api.app.inject({ ...options, headers: { host, ...options.headers } });
  const login = async (token: string, origin = sameOrigin) =>
    inject({
      method: 'POST',
      url: '/admin/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
      payload: new URLSearchParams({ token }).toString(),
    });
  const waitingLinkJobs = () => api.composed.deps.queues.queues.link.getWaitingCount();

  beforeAll(async () => {
    api = await startTestApi({
      ADMIN_TOKEN: adminToken,
      ADMIN_READ_TOKEN: readToken,
      NOTE_QUEUE_SHARDS: '2',
    });
  });
  afterAll(async () => {
    await api.close();
  });

  it('serves a labelled login form, and sends a browser without a session there', async () => {
    const page = await inject({ method: 'GET', url: '/admin/login' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('<label for="token">Admin token</label>');
    expect(page.body).toContain('<form method="post" action="/admin/login">');
    expect(page.body).toContain('<html lang="en">');
    const dashboard = await inject({ method: 'GET', url: '/admin/queues', headers: { accept: 'text/html' } });
    expect(dashboard.statusCode).toBe(303);
    expect(dashboard.headers.location).toBe('/admin/login');
  });

  it('logs in with ADMIN_TOKEN: an HttpOnly, Secure, SameSite=Strict, expiring session cookie', async () => {
    const response = await login(adminToken);
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/admin/queues?login');
    const setCookie = String(response.headers['set-cookie']);
    expect(setCookie).toMatch(/^threadline_admin=admin\.\d+\.[\w-]+\.[\w-]+;/);
    for (const attribute of ['HttpOnly', 'Secure', 'SameSite=Strict', 'Path=/admin', 'Max-Age=28800']) {
      expect(setCookie).toContain(attribute);
    }
    expect(setCookie).not.toContain(adminToken);
    const queues = await inject({
      method: 'GET',
      url: '/admin/queues/api/queues',
      headers: { cookie: cookieFrom(response) },
    });
    expect(queues.statusCode).toBe(200);
    const names = (queues.json() as { queues: { name: string }[] }).queues.map((queue) => queue.name).sort();
    expect(names).toEqual(['link', 'notes', 'notes-1', 'push', 'summaries']);
    const page = await inject({
      method: 'GET',
      url: '/admin/queues',
      headers: { cookie: cookieFrom(response) },
    });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
  });

  it('refuses a wrong token at the form, a forged or tampered cookie, and a login from another site', async () => {
    const wrong = await login('not-the-token-0123456789');
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers['set-cookie']).toBeUndefined();
    expect(wrong.body).toContain('role="alert"');
    const crossSite = await login(adminToken, 'https://evil.example');
    expect(crossSite.statusCode).toBe(403);
    expect(crossSite.headers['set-cookie']).toBeUndefined();

    const good = cookieFrom(await login(readToken));
    const tampered = good.replace('threadline_admin=read.', 'threadline_admin=admin.');
    const expired = good.replace(/\.(\d+)\./, '.1000.');
    for (const cookie of [
      tampered,
      expired,
      'threadline_admin=admin.99999999999.aaaaaaaaaaaaaaaaaaaaaa.bbb',
    ]) {
      const response = await inject({ method: 'GET', url: '/admin/queues/api/queues', headers: { cookie } });
      expect(response.statusCode, cookie).toBe(401);
    }
  });

  it('never accepts HTTP Basic, and never asks the browser for it', async () => {
    for (const password of [adminToken, readToken]) {
      const response = await inject({
        method: 'GET',
        url: '/admin/queues/api/queues',
        headers: { authorization: `Basic ${Buffer.from(`admin:${password}`).toString('base64')}` },
      });
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toBeUndefined();
      expect(response.json()).toMatchObject({ error: 'unauthorized' });
    }
    const none = await inject({ method: 'GET', url: '/admin/queues/api/queues' });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toBeUndefined();
  });

  it('takes the bearer token from scripts, without Origin, for reads and changes', async () => {
    const read = await inject({
      method: 'GET',
      url: '/admin/queues/api/queues',
      headers: { authorization: `Bearer ${adminToken}` },
    });
    expect(read.statusCode).toBe(200);
    const before = await waitingLinkJobs();
    const added = await inject({
      method: 'POST',
      url: '/admin/queues/api/queues/link/add',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      payload: linkJob,
    });
    expect(added.statusCode).toBe(200);
    expect(await waitingLinkJobs()).toBe(before + 1);
    await api.composed.deps.queues.queues.link.drain();
  });

  it('refuses a cross-site POST to a Bull Board mutating route that rides on a cached session cookie', async () => {
    const cookie = cookieFrom(await login(adminToken));
    const before = await waitingLinkJobs();
    for (const headers of [
      { origin: 'https://evil.example' },
      { origin: 'null' },
      {},
      { origin: `https://${host}.evil.example` },
    ]) {
      const response = await inject({
        method: 'POST',
        url: '/admin/queues/api/queues/link/add',
        headers: { cookie, 'content-type': 'application/json', ...headers },
        payload: linkJob,
      });
      expect(response.statusCode, JSON.stringify(headers)).toBe(403);
      expect(response.json()).toMatchObject({ error: 'cross_origin' });
    }
    // A bearer token does not excuse another site's Origin either.
    const bearerCrossSite = await inject({
      method: 'PUT',
      url: '/admin/queues/api/queues/link/pause',
      headers: { authorization: `Bearer ${adminToken}`, origin: 'https://evil.example' },
    });
    expect(bearerCrossSite.statusCode).toBe(403);
    expect(await waitingLinkJobs()).toBe(before);
    // The same request from the dashboard's own page goes through.
    const sameSite = await inject({
      method: 'POST',
      url: '/admin/queues/api/queues/link/add',
      headers: { cookie, 'content-type': 'application/json', origin: sameOrigin },
      payload: linkJob,
    });
    expect(sameSite.statusCode).toBe(200);
    expect(await waitingLinkJobs()).toBe(before + 1);
    await api.composed.deps.queues.queues.link.drain();
  });

  it('ADMIN_READ_TOKEN sees the read-only board and cannot add, retry, clean, pause or empty', async () => {
    const response = await login(readToken);
    expect(response.headers.location).toBe('/admin/queues-read-only?login');
    const cookie = cookieFrom(response);
    const queues = await inject({
      method: 'GET',
      url: '/admin/queues-read-only/api/queues',
      headers: { cookie },
    });
    expect(queues.statusCode).toBe(200);
    const listed = (queues.json() as { queues: { name: string; readOnlyMode: boolean }[] }).queues;
    expect(listed.map((queue) => queue.readOnlyMode)).toEqual(listed.map(() => true));
    const toFull = await inject({
      method: 'GET',
      url: '/admin/queues',
      headers: { cookie, accept: 'text/html' },
    });
    expect(toFull.headers.location).toBe('/admin/queues-read-only');

    await api.composed.deps.queues.queues.link.add('link-conversation', { kept: true }, { jobId: 'kept-1' });
    const before = await waitingLinkJobs();
    const mutations: [string, string][] = [
      ['POST', '/api/queues/link/add'],
      ['PUT', '/api/queues/link/retry/failed'],
      ['PUT', '/api/queues/link/clean/completed'],
      ['PUT', '/api/queues/link/kept-1/clean'],
      ['PUT', '/api/queues/link/pause'],
      ['PUT', '/api/queues/link/empty'],
    ];
    for (const base of ['/admin/queues', '/admin/queues-read-only']) {
      for (const [method, path] of mutations) {
        for (const auth of [{ cookie, origin: sameOrigin }, { authorization: `Bearer ${readToken}` }]) {
          const refused = await inject({
            method: method as 'PUT' | 'POST',
            url: `${base}${path}`,
            headers: { 'content-type': 'application/json', ...auth },
            payload: method === 'POST' ? linkJob : '{}',
          });
          expect(refused.statusCode, `${method} ${base}${path}`).toBe(403);
        }
      }
    }
    expect(await waitingLinkJobs()).toBe(before);
    expect(await api.composed.deps.queues.queues.link.isPaused()).toBe(false);
    // Even the admin cannot change a queue through the read-only board (Bull Board's readOnlyMode).
    const adminOnReadOnly = await inject({
      method: 'PUT',
      url: '/admin/queues-read-only/api/queues/link/pause',
      headers: { authorization: `Bearer ${adminToken}` },
    });
    expect(adminOnReadOnly.statusCode).toBe(405);
    await api.composed.deps.queues.queues.link.obliterate({ force: true });
  });

  it('explains a session cookie the browser refused (plain HTTP) instead of looping back to the form', async () => {
    const response = await login(adminToken);
    const next = await inject({
      method: 'GET',
      url: String(response.headers.location),
      headers: { accept: 'text/html' },
    });
    expect(next.statusCode).toBe(303);
    expect(next.headers.location).toBe('/admin/login?cookie-refused');
    const page = await inject({ method: 'GET', url: '/admin/login?cookie-refused' });
    expect(page.body).toContain('did not keep the session cookie');
    expect(page.body).toContain('role="alert"');
  });

  it('limits login attempts per address: the 11th in a minute is 429, even with the right token', async () => {
    const attempt = (token: string) =>
      inject({
        method: 'POST',
        url: '/admin/login',
        remoteAddress: '198.51.100.7',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: sameOrigin },
        payload: new URLSearchParams({ token }).toString(),
      });
    for (let index = 0; index < 10; index += 1) {
      expect((await attempt(`guess-${index}-0123456789abcdef`)).statusCode).toBe(401);
    }
    const limited = await attempt(adminToken);
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['set-cookie']).toBeUndefined();
    // Another address is not affected.
    expect((await login(adminToken)).statusCode).toBe(303);
  });

  it('logs out: the cookie is cleared', async () => {
    const response = await inject({
      method: 'POST',
      url: '/admin/logout',
      headers: { cookie: cookieFrom(await login(adminToken)), origin: sameOrigin },
    });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/admin/login?logged-out');
    expect(String(response.headers['set-cookie'])).toMatch(/^threadline_admin=; .*Max-Age=0/);
    const page = await inject({ method: 'GET', url: '/admin/login?logged-out' });
    expect(page.body).toContain('You are logged out.');
  });
});

describe('/admin without ADMIN_TOKEN', () => {
  it('does not exist', async () => {
    const api = await startTestApi();
    try {
      for (const url of ['/admin/queues', '/admin/login']) {
        const response = await api.app.inject({
          method: 'GET',
          url,
          headers: { authorization: 'Bearer anything' },
        });
        expect(response.statusCode).toBe(404);
      }
    } finally {
      await api.close();
    }
  });
});
