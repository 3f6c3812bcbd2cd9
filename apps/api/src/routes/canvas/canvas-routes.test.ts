import { createHmac } from 'node:crypto';
import { type Action, type ActivityStore, identityHint } from '@threadline/core';
import { canvasResponseProblems } from '@threadline/intercom-sandbox';
import { intercomFixture } from '@threadline/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../../test/test-api.js';
import { buildServer, type ThreadlineServer } from '../../build-server.js';

const secret = 'test_client_secret';
let api: TestApi;
let watched: ThreadlineServer;
let reads = 0;

const sign = (body: string, key = secret) => createHmac('sha256', key).update(body).digest('hex');

function withUser(fixture: string, externalId: string | null): string {
  const body = JSON.parse(intercomFixture(fixture));
  body.contact.external_id = externalId;
  return JSON.stringify(body);
}

function post(server: ThreadlineServer, path: string, body: string, headers: Record<string, string>) {
  return server.app.inject({
    method: 'POST',
    url: `/intercom/canvas/${path}`,
    headers: { 'content-type': 'application/json', ...headers },
    payload: body,
  });
}

interface Component {
  type: string;
  text?: string;
  style?: string;
  items?: { field: string; value: string }[];
  id?: string;
  label?: string;
}

const componentsOf = (body: { canvas: { content: { components: Component[] } } }) =>
  body.canvas.content.components;

beforeAll(async () => {
  api = await startTestApi({ INTERCOM_CLIENT_SECRET: secret });
  const counted: ActivityStore = new Proxy(api.composed.deps.activity, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        reads += 1;
        return value.apply(target, args);
      };
    },
  });
  watched = await buildServer({ ...api.composed.deps, activity: counted });
  const start = Date.now() - 60_000;
  const actions: Action[] = Array.from({ length: 14 }, (_, index) => ({
    at: new Date(start + index * 1000).toISOString(),
    type: index === 3 || index === 12 ? 'error' : 'click',
    description:
      index === 3 || index === 12 ? `Saw error "Card declined ${index}"` : `Clicked "Step ${index}" button`,
    page: '/billing',
  }));
  // Two requests that arrived newest first: the canvas still reads them by when they happened.
  const user = { productId: 'default', userId: 'user_8812' };
  await api.composed.deps.activity.append(user, actions.slice(7));
  await api.composed.deps.activity.append(user, actions.slice(0, 7));
});
afterAll(async () => {
  await watched.app.close();
  await api.close();
});

describe('POST /intercom/canvas/initialize and /submit', () => {
  it('answers 401 to a forged or missing X-Body-Signature, before reading anything', async () => {
    const body = intercomFixture('canvas.initialize.json');
    reads = 0;
    const forged = await post(watched, 'initialize', body, {
      'x-body-signature': sign(body, 'not the secret'),
    });
    const missing = await post(watched, 'initialize', body, {});
    const malformedHex = await post(watched, 'submit', body, { 'x-body-signature': 'zz'.repeat(32) });
    const otherBody = await post(watched, 'initialize', body, { 'x-body-signature': sign(`${body} `) });
    for (const response of [forged, missing, malformedHex, otherBody]) {
      expect(response.statusCode).toBe(401);
      expect(response.json().error).toBe('bad_signature');
    }
    expect(reads).toBe(0);
  });

  it('refuses a signed body that is not JSON with 400', async () => {
    const response = await post(api, 'initialize', '{not json', { 'x-body-signature': sign('{not json') });
    expect(response.statusCode).toBe(400);
  });

  it("shows a linked user's errors first, the last ten actions with times, identity and Refresh, in documented shapes", async () => {
    const body = intercomFixture('canvas.initialize.json');
    const response = await post(api, 'initialize', body, { 'x-body-signature': sign(body) });
    expect(response.statusCode).toBe(200);
    expect(canvasResponseProblems(response.json())).toEqual([]);
    const components = componentsOf(response.json());
    expect(components.map((component) => component.type)).toEqual([
      'text',
      'text',
      'data-table',
      'divider',
      'text',
      'data-table',
      'text',
      'button',
    ]);
    expect(components[1]).toMatchObject({ style: 'error', text: 'Latest 2 errors' });
    expect(components[2]?.items?.map((item) => item.value)).toEqual([
      'Saw error "Card declined 12" (/billing)',
      'Saw error "Card declined 3" (/billing)',
    ]);
    const recent = components[5]?.items ?? [];
    expect(recent).toHaveLength(10);
    expect(recent[0]?.value).toBe('Clicked "Step 13" button (/billing)');
    expect(recent[9]?.value).toBe('Clicked "Step 4" button (/billing)');
    for (const item of recent) expect(item.field).toMatch(/^(\d\d:\d\d:\d\d|\d\d-\d\d \d\d:\d\d) UTC$/);
    expect(components[6]?.text).toMatch(/^Identity not checked/);
    expect(components[7]).toEqual({
      type: 'button',
      id: 'threadline-refresh',
      label: 'Refresh',
      style: 'secondary',
      action: { type: 'submit' },
    });
  });

  it('answers the Refresh submit request with the same canvas', async () => {
    const body = intercomFixture('canvas.submit.json');
    const response = await post(api, 'submit', body, { 'x-body-signature': sign(body) });
    expect(response.statusCode).toBe(200);
    expect(canvasResponseProblems(response.json())).toEqual([]);
    expect(componentsOf(response.json())[5]?.items).toHaveLength(10);
  });

  it('gives an unknown user the plain "no recent activity" canvas with the identity hint', async () => {
    for (const externalId of ['nobody-here', null]) {
      const body = withUser('canvas.initialize.json', externalId);
      const response = await post(api, 'initialize', body, { 'x-body-signature': sign(body) });
      expect(response.statusCode).toBe(200);
      expect(canvasResponseProblems(response.json())).toEqual([]);
      const components = componentsOf(response.json());
      expect(components[0]).toEqual({ type: 'text', text: 'No recent activity', style: 'header' });
      expect(components.map((component) => component.text)).toContain(identityHint);
      expect(components.at(-1)?.label).toBe('Refresh');
      expect(components.some((component) => component.type === 'data-table')).toBe(false);
    }
  });
});
