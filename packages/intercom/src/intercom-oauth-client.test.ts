import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createIntercomSandbox, type IntercomSandbox } from '@threadline/intercom-sandbox';
import { freePort } from '@threadline/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntercomOAuthClient } from './intercom-oauth-client.js';

let sandbox: IntercomSandbox;
let slowServer: Server;
let slowUrl: string;

beforeAll(async () => {
  sandbox = await createIntercomSandbox({
    token: 'main-token',
    workspaces: [{ appId: 'wsbeta01', name: 'Beta', adminId: '501' }],
    oauth: { clientId: 'client-1', clientSecret: 'secret-1' },
  });
  await sandbox.listen();
  // Accepts the connection and never answers: only the client's own time limit ends the call.
  slowServer = createServer(() => undefined);
  await new Promise<void>((resolve) => slowServer.listen(0, '127.0.0.1', resolve));
  slowUrl = `http://127.0.0.1:${(slowServer.address() as AddressInfo).port}`;
});
afterAll(async () => {
  slowServer.closeAllConnections();
  await new Promise((resolve) => slowServer.close(resolve));
  await sandbox.close();
});

const client = (overrides: Partial<ConstructorParameters<typeof IntercomOAuthClient>[0]> = {}) =>
  new IntercomOAuthClient({
    apiBaseUrl: sandbox.url(),
    clientId: 'client-1',
    clientSecret: 'secret-1',
    timeoutMs: 2000,
    ...overrides,
  });

async function approvedCode(workspace = 'wsbeta01'): Promise<string> {
  const answer = await sandbox.app.inject({
    method: 'POST',
    url: '/oauth/decide',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({
      client_id: 'client-1',
      state: 's',
      redirect_uri: 'http://127.0.0.1:9/cb',
      workspace,
      decision: 'approve',
    }).toString(),
  });
  return new URL(String(answer.headers.location)).searchParams.get('code') ?? '';
}

describe('IntercomOAuthClient against the sandbox over HTTP', () => {
  it('exchanges a code (form-encoded) and identifies the workspace and admin with /me', async () => {
    const exchanged = await client().exchangeCode(await approvedCode());
    if (exchanged.kind !== 'token') throw new Error(exchanged.kind);
    expect(exchanged.accessToken).toBe(sandbox.issuedTokens()[0]?.token);
    expect(await client().identify(exchanged.accessToken)).toEqual({
      kind: 'identified',
      appId: 'wsbeta01',
      adminId: '501',
      region: 'US',
    });
    const request = sandbox.requests().find((each) => each.path === '/me');
    expect(request?.status).toBe(200);
  });

  it('answers refused for a used code, a wrong secret and a revoked token', async () => {
    const code = await approvedCode();
    expect((await client().exchangeCode(code)).kind).toBe('token');
    expect(await client().exchangeCode(code)).toEqual({ kind: 'refused' });
    expect(await client({ clientSecret: 'wrong' }).exchangeCode(await approvedCode())).toEqual({
      kind: 'refused',
    });
    const token = sandbox.issuedTokens().at(-1)?.token ?? '';
    sandbox.revokeTokens({ token });
    expect(await client().identify(token)).toEqual({ kind: 'refused' });
  });

  it('answers unavailable when Intercom is down, too slow, or failing', async () => {
    const closed = client({ apiBaseUrl: `http://127.0.0.1:${await freePort()}` });
    expect(await closed.exchangeCode('x')).toEqual({ kind: 'unavailable' });
    const slow = client({ apiBaseUrl: slowUrl, timeoutMs: 200 });
    expect(await slow.exchangeCode('x')).toEqual({ kind: 'unavailable' });
    expect(await slow.identify('t')).toEqual({ kind: 'unavailable' });
    sandbox.injectFault({ method: 'GET', pathPattern: '^/me$', status: 503, count: 1 });
    expect(await client().identify('main-token')).toEqual({ kind: 'unavailable' });
  });
});
