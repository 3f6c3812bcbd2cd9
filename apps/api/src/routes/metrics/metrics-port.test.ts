import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../../test/test-api.js';
import { buildMetricsServer } from '../../metrics-server.js';

describe('/metrics without METRICS_PORT: on the API port, for local scrapes only', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(async () => {
    await api.close();
  });

  it('answers a scrape from 127.0.0.1 and ::1', async () => {
    for (const remoteAddress of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) {
      const response = await api.app.inject({ method: 'GET', url: '/metrics', remoteAddress });
      expect(response.statusCode, remoteAddress).toBe(200);
      expect(response.body).toContain('threadline_queue_jobs');
    }
  });

  it('is 404 from any other address, and through a proxy, whatever X-Forwarded-For says', async () => {
    for (const remoteAddress of ['203.0.113.9', '10.0.0.7', '::ffff:192.0.2.1', '2001:db8::1']) {
      const response = await api.app.inject({
        method: 'GET',
        url: '/metrics',
        remoteAddress,
        headers: { 'x-forwarded-for': '127.0.0.1' },
      });
      expect(response.statusCode, remoteAddress).toBe(404);
      expect(response.body).not.toContain('threadline_');
    }
    // A proxy on this machine connects from loopback; its forwarding header gives it away.
    for (const headers of [
      { 'x-forwarded-for': '203.0.113.9' },
      { forwarded: 'for=203.0.113.9' },
      { 'x-real-ip': '203.0.113.9' },
    ]) {
      const response = await api.app.inject({
        method: 'GET',
        url: '/metrics',
        remoteAddress: '127.0.0.1',
        headers,
      });
      expect(response.statusCode, JSON.stringify(headers)).toBe(404);
    }
  });
});

describe('with METRICS_PORT: a listener of its own', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ METRICS_PORT: '9464' });
  });
  afterAll(async () => {
    await api.close();
  });

  it('the API port no longer serves /metrics, even locally, and keeps /readyz', async () => {
    const metrics = await api.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '127.0.0.1' });
    expect(metrics.statusCode).toBe(404);
    expect((await api.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  });

  it('the metrics listener serves /metrics to any address, and /readyz that follows shutdown', async () => {
    const metricsApp = await buildMetricsServer(api.composed.deps, api.health);
    try {
      const response = await metricsApp.inject({ method: 'GET', url: '/metrics', remoteAddress: '10.0.0.7' });
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain('threadline_queue_jobs{queue="link",state="waiting",service="api"}');
      expect((await metricsApp.inject({ method: 'GET', url: '/readyz' })).json()).toEqual({
        status: 'ready',
        redis: 'ok',
      });
      // It serves nothing else of the API.
      for (const url of ['/batch', '/mcp', '/admin/login']) {
        expect((await metricsApp.inject({ method: 'POST', url })).statusCode, url).toBe(404);
      }
      api.health.isShuttingDown = true;
      expect((await metricsApp.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(503);
    } finally {
      api.health.isShuttingDown = false;
      await metricsApp.close();
    }
  });
});
