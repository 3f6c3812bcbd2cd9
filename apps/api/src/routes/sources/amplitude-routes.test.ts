import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../../test/test-api.js';

const apiKey = 'phc_test_key';
let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => api.close());

function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  return api.app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', ...headers },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  }) as Promise<LightMyRequestResponse>;
}

async function descriptions(userId: string): Promise<string[]> {
  const actions = await api.composed.deps.activity.listRecent({ productId: 'default', userId }, 50);
  return actions.map((action) => action.description);
}

const newId = (label: string) => `${label}-${randomUUID().slice(0, 8)}`;

describe('Amplitude routes', () => {
  it.each(['/amplitude/2/httpapi', '/amplitude/batch'])(
    '%s answers {"code":200,"events_ingested":n,…}',
    async (path) => {
      const user = newId('amp');
      const response = await post(path, {
        api_key: apiKey,
        events: [{ user_id: user, event_type: 'Report Exported', time: Date.now(), insert_id: randomUUID() }],
      });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toMatchObject({ code: 200, events_ingested: 1 });
      expect(response.json().server_upload_time).toEqual(expect.any(Number));
      expect(await descriptions(user)).toEqual(['Report exported']);
    },
  );

  it("moves a device's anonymous history to the user at the first event with both ids, once per insert_id", async () => {
    const device = newId('device');
    const user = newId('user');
    const now = Date.now();
    const viewed = {
      device_id: device,
      event_type: '[Amplitude] Page Viewed',
      time: now,
      insert_id: randomUUID(),
      event_properties: { '[Amplitude] Page Path': '/pricing', '[Amplitude] Page Title': 'Pricing | Acme' },
    };
    expect((await post('/amplitude/2/httpapi', { api_key: apiKey, events: [viewed] })).statusCode).toBe(200);
    const clicked = {
      user_id: user,
      device_id: device,
      event_type: '[Amplitude] Element Clicked',
      time: now + 1000,
      insert_id: randomUUID(),
      event_properties: {
        '[Amplitude] Element Tag': 'button',
        '[Amplitude] Element Text': '↻',
        '[Amplitude] Element Aria Label': 'Retry payment',
        '[Amplitude] Page URL': 'https://app.acme.io/checkout',
      },
    };
    for (let attempt = 0; attempt < 2; attempt++) {
      expect((await post('/amplitude/2/httpapi', { api_key: apiKey, events: [clicked] })).statusCode).toBe(
        200,
      );
    }
    expect(await descriptions(user)).toEqual([
      'Viewed Pricing (/pricing)',
      'Clicked "Retry payment" button on /checkout',
    ]);
  });

  it('answers 400 as Amplitude does: missing api_key, events missing fields, a wrong key', async () => {
    const missingKey = await post('/amplitude/2/httpapi', { events: [{ user_id: 'u1', event_type: 'A' }] });
    expect(missingKey.statusCode).toBe(400);
    expect(missingKey.json()).toEqual({
      code: 400,
      error: 'Request missing required field',
      missing_field: 'api_key',
    });
    const missingFields = await post('/amplitude/2/httpapi', {
      api_key: apiKey,
      events: [{ event_type: 'A' }, { user_id: 'u12345' }],
    });
    expect(missingFields.statusCode).toBe(400);
    expect(missingFields.json()).toMatchObject({
      code: 400,
      events_with_missing_fields: { 'user_id or device_id': [0], event_type: [1] },
    });
    const wrongKey = await post('/amplitude/2/httpapi', {
      api_key: 'nope',
      events: [{ user_id: 'u1', event_type: 'A' }],
    });
    expect(wrongKey.statusCode).toBe(400);
    expect(wrongKey.json()).toMatchObject({ code: 400, error: 'Invalid API key' });
    const notJson = await post('/amplitude/2/httpapi', '{"api_key":');
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json()).toMatchObject({ code: 400 });
  });

  it('answers 413 past 2,000 events or 1 MB', async () => {
    const many = Array.from({ length: 2001 }, () => ({ user_id: 'u12345', event_type: 'A' }));
    const tooMany = await post('/amplitude/2/httpapi', { api_key: apiKey, events: many });
    expect(tooMany.statusCode).toBe(413);
    expect(tooMany.json()).toMatchObject({ code: 413, error: 'Payload too large' });
    const big = {
      api_key: apiKey,
      events: [{ user_id: 'u12345', event_type: 'A', event_properties: { blob: 'x'.repeat(1024 * 1024) } }],
    };
    const tooBig = await post('/amplitude/2/httpapi', big);
    expect(tooBig.statusCode).toBe(413);
    expect(tooBig.json()).toMatchObject({ code: 413 });
  });

  it('answers the browser SDK preflight with CORS, without credentials', async () => {
    const preflight = (await api.app.inject({
      method: 'OPTIONS',
      url: '/amplitude/2/httpapi',
      headers: {
        origin: 'https://shop.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    })) as LightMyRequestResponse;
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('https://shop.example.com');
    expect(preflight.headers['access-control-allow-credentials']).toBeUndefined();
    expect(preflight.headers['access-control-allow-methods']).toMatch(/POST/);
  });
});
