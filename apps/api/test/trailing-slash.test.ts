import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturePaths } from '../src/routes/capture/capture-routes.js';
import { startTestApi, type TestApi } from './test-api.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ ADMIN_TOKEN: 'admin-token-0123456789abcdef' });
});
afterAll(async () => api.close());

const captureBody = (path: string): InjectOptions => ({
  method: 'POST',
  url: path,
  headers: { 'content-type': 'application/json' },
  payload: JSON.stringify({ api_key: 'phc_test_key', event: 'invoice_paid', distinct_id: `slash-${path}` }),
});

/** One request per route of the app, each answered by the route itself (never the 404 handler). */
const routes: [string, (path: string) => InjectOptions, number][] = [
  ['/healthz', (url) => ({ method: 'GET', url }), 200],
  ['/readyz', (url) => ({ method: 'GET', url }), 200],
  ['/metrics', (url) => ({ method: 'GET', url }), 200],
  ['/admin/login', (url) => ({ method: 'GET', url }), 200],
  ['/mcp', (url) => ({ method: 'POST', url, payload: {} }), 401],
  ['/v1/users/default/someone/activity', (url) => ({ method: 'GET', url }), 401],
  ['/webhooks/intercom', (url) => ({ method: 'POST', url, payload: '{}' }), 401],
  ['/webhooks/posthog', (url) => ({ method: 'POST', url, payload: '{}' }), 404],
  ['/flags', (url) => ({ method: 'POST', url, payload: '{}' }), 200],
  ['/decide', (url) => ({ method: 'POST', url, payload: '{}' }), 200],
  ['/s', (url) => ({ method: 'POST', url, payload: '{}' }), 200],
  ['/array/phc_test_key/config', (url) => ({ method: 'GET', url }), 200],
  ...capturePaths.map((path): [string, (url: string) => InjectOptions, number] => [path, captureBody, 200]),
];

describe('every route answers with and without a trailing slash (ignoreTrailingSlash)', () => {
  it.each(routes)('%s', async (path, request, status) => {
    const plain = await api.app.inject(request(path));
    const slashed = await api.app.inject(request(`${path}/`));
    expect(plain.statusCode).toBe(status);
    expect(slashed.statusCode).toBe(status);
    // The not-found handler answers `no route …`; a route's own answers never do.
    expect(slashed.body).not.toContain('"message":"no route');
  });

  it('a path that is no route is still 404, with or without the slash', async () => {
    for (const url of ['/nothing-here', '/nothing-here/']) {
      expect((await api.app.inject({ method: 'GET', url })).statusCode).toBe(404);
    }
  });
});
