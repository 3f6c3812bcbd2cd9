import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../../test/test-api.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({
    ADMIN_TOKEN: 'admin-token-0123456789abcdef',
    MCP_API_KEYS: 'mcp_key_0123456789abcdef:default',
  });
});
afterAll(async () => {
  await api.close();
});

const evil = 'https://evil.example';

function preflight(url: string, method = 'POST') {
  return api.app.inject({
    method: 'OPTIONS',
    url,
    headers: {
      origin: evil,
      'access-control-request-method': method,
      'access-control-request-headers': 'content-type,authorization',
    },
  });
}

describe('CORS', () => {
  it('answers preflight on the capture paths, for any origin, without credentials', async () => {
    for (const url of [
      '/e/',
      '/i/v0/e/?compression=gzip-js',
      '/batch',
      '/flags/?v=2',
      '/decide/',
      '/array/phc_test_key/config',
    ]) {
      const response = await preflight(url);
      expect(response.statusCode, url).toBe(204);
      expect(response.headers['access-control-allow-origin'], url).toBe(evil);
      expect(response.headers['access-control-allow-credentials'], url).toBeUndefined();
    }
    const posted = await api.app.inject({
      method: 'POST',
      url: '/batch/',
      headers: { origin: evil, 'content-type': 'application/json' },
      payload: JSON.stringify({ api_key: 'phc_test_key', batch: [{ event: 'x', distinct_id: 'cors-1' }] }),
    });
    expect(posted.statusCode).toBe(200);
    expect(posted.headers['access-control-allow-origin']).toBe(evil);
    expect(posted.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('gives no CORS headers to admin, MCP, the activity API, webhooks or health', async () => {
    for (const url of [
      '/admin/queues/api/queues/link/add',
      '/admin/login',
      '/mcp',
      '/v1/users/default/u1/activity',
      '/webhooks/intercom',
      '/webhooks/posthog',
      '/metrics',
      '/readyz',
    ]) {
      const response = await preflight(url);
      expect(response.statusCode, url).toBe(404);
      for (const name of Object.keys(response.headers)) expect(name, url).not.toMatch(/^access-control-/);
    }
    const mcp = await api.app.inject({
      method: 'POST',
      url: '/mcp',
      headers: { origin: evil, 'content-type': 'application/json' },
      payload: '{}',
    });
    for (const name of Object.keys(mcp.headers)) expect(name).not.toMatch(/^access-control-/);
  });
});
