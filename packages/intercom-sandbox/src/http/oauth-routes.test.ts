import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createIntercomSandbox, type IntercomSandbox } from '../create-intercom-sandbox.js';
import { checkAgainstSpec } from '../spec/spec-validator.js';

let sandbox: IntercomSandbox;
beforeEach(async () => {
  sandbox = await createIntercomSandbox({
    token: 'main-token',
    workspaces: [
      { appId: 'wsbeta01', name: 'Beta', adminId: '501', rateLimitPerWindow: 3 },
      { appId: 'wsgamma1', name: 'Gamma', adminId: '601' },
    ],
    oauth: { clientId: 'client-1', clientSecret: 'secret-1' },
  });
});
afterEach(async () => {
  await sandbox.close();
});

const redirectUri = 'http://127.0.0.1:9/oauth/intercom/callback';
const as = (token: string) => ({ authorization: `Bearer ${token}` });

async function approve(workspace: string, state = 'state-1'): Promise<URL> {
  const answer = await sandbox.app.inject({
    method: 'POST',
    url: '/oauth/decide',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({
      client_id: 'client-1',
      state,
      redirect_uri: redirectUri,
      workspace,
      decision: 'approve',
    }).toString(),
  });
  expect(answer.statusCode).toBe(302);
  return new URL(String(answer.headers.location));
}

async function exchange(code: string, secret = 'secret-1') {
  return sandbox.app.inject({
    method: 'POST',
    url: '/auth/eagle/token',
    payload: { code, client_id: 'client-1', client_secret: secret },
  });
}

async function install(workspace: string): Promise<string> {
  const back = await approve(workspace);
  const answer = await exchange(back.searchParams.get('code') ?? '');
  expect(answer.statusCode).toBe(200);
  return answer.json().access_token as string;
}

describe('the sandbox OAuth flow', () => {
  it('shows an authorize page with every workspace and Approve / Deny buttons', async () => {
    const page = await sandbox.app.inject({
      method: 'GET',
      url: `/oauth?client_id=client-1&state=${encodeURIComponent('"><script>')}&redirect_uri=${encodeURIComponent(redirectUri)}`,
    });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('<html lang="en">');
    expect(page.body).toContain('<button type="submit" name="decision" value="approve">Approve</button>');
    expect(page.body).toContain('value="deny">Deny</button>');
    expect(page.body).toContain('value="wsbeta01"');
    expect(page.body).toContain('value="wsgamma1"');
    expect(page.body).not.toContain('"><script>');

    const unknownApp = await sandbox.app.inject({
      method: 'GET',
      url: `/oauth?client_id=other&redirect_uri=${redirectUri}`,
    });
    expect(unknownApp.statusCode).toBe(400);
    const noRedirect = await sandbox.app.inject({ method: 'GET', url: '/oauth?client_id=client-1' });
    expect(noRedirect.statusCode).toBe(400);
  });

  it('redirects back with code and state on Approve, and error=access_denied on Deny', async () => {
    const back = await approve('wsbeta01', 'xyz');
    expect(back.origin + back.pathname).toBe(redirectUri);
    expect(back.searchParams.get('state')).toBe('xyz');
    expect(back.searchParams.get('code')).toMatch(/^[\w-]{20,}$/);

    const denied = await sandbox.app.inject({
      method: 'POST',
      url: '/oauth/decide',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `client_id=client-1&state=xyz&redirect_uri=${encodeURIComponent(redirectUri)}&decision=deny`,
    });
    const deniedUrl = new URL(String(denied.headers.location));
    expect(deniedUrl.searchParams.get('error')).toBe('access_denied');
    expect(deniedUrl.searchParams.get('state')).toBe('xyz');
    expect(deniedUrl.searchParams.has('code')).toBe(false);
  });

  it('exchanges a code once, for a token of that workspace; /me names it', async () => {
    const back = await approve('wsbeta01');
    const code = back.searchParams.get('code') ?? '';
    const first = await exchange(code);
    expect(first.statusCode).toBe(200);
    const token = first.json().access_token as string;
    expect(first.json().token).toBe(token);
    expect(first.json()).not.toHaveProperty('refresh_token');

    const again = await exchange(code);
    expect(again.statusCode).toBe(400);
    expect(again.json().errors[0].code).toBe('invalid_grant');

    const me = await sandbox.app.inject({ method: 'GET', url: '/me', headers: as(token) });
    expect(me.statusCode).toBe(200);
    expect(checkAgainstSpec('admin_with_app', me.json()).valid).toBe(true);
    expect(me.json()).toMatchObject({ id: '501', app: { id_code: 'wsbeta01', name: 'Beta' } });
    const mainMe = await sandbox.app.inject({ method: 'GET', url: '/me', headers: as('main-token') });
    expect(mainMe.json().app.id_code).toBe('abc12345');
  });

  it('refuses a wrong client secret, an unknown code and an expired one', async () => {
    const code = (await approve('wsbeta01')).searchParams.get('code') ?? '';
    expect((await exchange(code, 'wrong')).statusCode).toBe(401);
    expect((await exchange('made-up')).statusCode).toBe(400);
    const late = (await approve('wsbeta01')).searchParams.get('code') ?? '';
    const expired = await sandbox.app.inject({ method: 'POST', url: '/_sandbox/oauth/expire-codes' });
    expect(expired.json().expired).toBeGreaterThanOrEqual(1);
    const answer = await exchange(late);
    expect(answer.statusCode).toBe(400);
    expect(answer.json().errors[0].message).toMatch(/expired/);
  });

  it('keeps each token to its own workspace: data, admin and rate limit', async () => {
    const beta = await install('wsbeta01');
    const contact = sandbox.createContact({ external_id: 'u1', workspace: 'wsbeta01' });
    expect(contact.workspace_id).toBe('wsbeta01');
    const conversation = sandbox.createConversation({ contactId: contact.id, body: 'hi' });
    const mainContact = sandbox.createContact({ external_id: 'u1' });
    const mainConversation = sandbox.createConversation({ contactId: mainContact.id });
    expect(mainConversation.id).not.toBe(conversation.id);

    const own = await sandbox.app.inject({
      method: 'GET',
      url: `/conversations/${conversation.id}`,
      headers: as(beta),
    });
    expect(own.statusCode).toBe(200);
    const foreign = await sandbox.app.inject({
      method: 'GET',
      url: `/conversations/${mainConversation.id}`,
      headers: as(beta),
    });
    expect(foreign.statusCode).toBe(404);
    const mainOnBeta = await sandbox.app.inject({
      method: 'GET',
      url: `/conversations/${conversation.id}`,
      headers: as('main-token'),
    });
    expect(mainOnBeta.statusCode).toBe(404);

    const note = (token: string, adminId: string) =>
      sandbox.app.inject({
        method: 'POST',
        url: `/conversations/${conversation.id}/reply`,
        headers: as(token),
        payload: { message_type: 'note', type: 'admin', admin_id: adminId, body: '<p>x</p>' },
      });
    expect((await note(beta, '991267')).statusCode).toBe(404);
    expect((await note('main-token', '501')).statusCode).toBe(404);
    // Beta's window holds 3 requests: it runs out (a window that rolls over mid-test only adds a turn).
    const statuses: number[] = [];
    while (statuses.length < 10 && !statuses.includes(429))
      statuses.push((await note(beta, '501')).statusCode);
    expect(statuses).toContain(429);
    expect(sandbox.notes(conversation.id).length).toBe(statuses.filter((status) => status === 200).length);
    const mainStill = await sandbox.app.inject({ method: 'GET', url: '/me', headers: as('main-token') });
    expect(mainStill.statusCode).toBe(200);
  });

  it('revokes a token or a workspace install: its calls get 401, others go on', async () => {
    const beta = await install('wsbeta01');
    const gamma = await install('wsgamma1');
    const revoke = await sandbox.app.inject({
      method: 'POST',
      url: '/_sandbox/tokens/revoke',
      payload: { app_id: 'wsbeta01' },
    });
    expect(revoke.json()).toEqual({ revoked: 1 });
    expect((await sandbox.app.inject({ method: 'GET', url: '/me', headers: as(beta) })).statusCode).toBe(401);
    expect((await sandbox.app.inject({ method: 'GET', url: '/me', headers: as(gamma) })).statusCode).toBe(
      200,
    );
    expect(sandbox.revokeTokens({ token: gamma })).toBe(1);
    expect((await sandbox.app.inject({ method: 'GET', url: '/me', headers: as(gamma) })).statusCode).toBe(
      401,
    );
    const workspaces = await sandbox.app.inject({ method: 'GET', url: '/_sandbox/workspaces' });
    expect(workspaces.json().workspaces.map((each: { app_id: string }) => each.app_id)).toEqual([
      'abc12345',
      'wsbeta01',
      'wsgamma1',
    ]);
  });
});
