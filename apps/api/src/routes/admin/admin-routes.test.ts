import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../../test/test-api.js';

const adminToken = 'admin-token-0123456789abcdef';

describe('/admin/queues with ADMIN_TOKEN', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ ADMIN_TOKEN: adminToken, NOTE_QUEUE_SHARDS: '2' });
  });
  afterAll(async () => {
    await api.close();
  });

  it('refuses without the token, or with a wrong one', async () => {
    for (const authorization of [
      undefined,
      'Bearer wrong-token',
      `Basic ${Buffer.from('admin:nope').toString('base64')}`,
    ]) {
      const response = await api.app.inject({
        method: 'GET',
        url: '/admin/queues',
        headers: authorization ? { authorization } : {},
      });
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toContain('Basic');
    }
    const api_ = await api.app.inject({ method: 'GET', url: '/admin/queues/api/queues' });
    expect(api_.statusCode).toBe(401);
  });

  it('serves the dashboard and its queue API with the token (Bearer or Basic)', async () => {
    const page = await api.app.inject({
      method: 'GET',
      url: '/admin/queues',
      headers: { authorization: `Bearer ${adminToken}` },
    });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    const basic = `Basic ${Buffer.from(`admin:${adminToken}`).toString('base64')}`;
    const queues = await api.app.inject({
      method: 'GET',
      url: '/admin/queues/api/queues',
      headers: { authorization: basic },
    });
    expect(queues.statusCode).toBe(200);
    const names = (queues.json() as { queues: { name: string }[] }).queues.map((queue) => queue.name).sort();
    expect(names).toEqual(
      Object.values(api.composed.deps.queues.queues)
        .map((queue) => queue.name)
        .sort(),
    );
    expect(names).toEqual(['link', 'notes', 'notes-1', 'summaries']);
  });
});

describe('/admin/queues without ADMIN_TOKEN', () => {
  it('does not exist', async () => {
    const api = await startTestApi();
    try {
      const response = await api.app.inject({
        method: 'GET',
        url: '/admin/queues',
        headers: { authorization: 'Bearer anything' },
      });
      expect(response.statusCode).toBe(404);
    } finally {
      await api.close();
    }
  });
});
