import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createIntercomSandbox, type IntercomSandbox } from '../create-intercom-sandbox.js';
import { checkAgainstSpec } from '../spec/spec-validator.js';

let sandbox: IntercomSandbox;
beforeEach(async () => {
  sandbox = await createIntercomSandbox({
    token: 'main-token',
    adminId: '42',
    tokens: [
      { token: 'read-only-token', permissions: ['Read conversations', 'Read one user and one company'] },
    ],
  });
});
afterEach(async () => {
  await sandbox.close();
});

const as = (token: string) => ({ authorization: `Bearer ${token}` });

describe('token permissions', () => {
  it('answers 403 with the missing permission, as the spec shapes it, and 401 for an unknown token', async () => {
    const contact = sandbox.createContact({ external_id: 'u1', name: 'Ana' });
    const conversation = sandbox.createConversation({ contactId: contact.id, body: 'hi' });
    const reply = await sandbox.app.inject({
      method: 'POST',
      url: `/conversations/${conversation.id}/reply`,
      headers: as('read-only-token'),
      payload: { message_type: 'note', type: 'admin', admin_id: '42', body: '<p>x</p>' },
    });
    expect(reply.statusCode).toBe(403);
    expect(checkAgainstSpec('error', reply.json()).valid).toBe(true);
    expect(reply.json().errors[0]).toEqual({
      code: 'forbidden',
      message: 'You do not have the required scope (Write conversations) to access this resource',
    });
    expect(sandbox.notes(conversation.id)).toEqual([]);

    const read = await sandbox.app.inject({
      method: 'GET',
      url: `/conversations/${conversation.id}`,
      headers: as('read-only-token'),
    });
    expect(read.statusCode).toBe(200);
    const admin = await sandbox.app.inject({
      method: 'GET',
      url: '/admins/42',
      headers: as('read-only-token'),
    });
    expect(admin.json().errors[0].message).toMatch(/\(Read admins\)/);
    // GET /me needs no permission.
    expect(
      (await sandbox.app.inject({ method: 'GET', url: '/me', headers: as('read-only-token') })).statusCode,
    ).toBe(200);
    expect((await sandbox.app.inject({ method: 'GET', url: '/me', headers: as('nobody') })).statusCode).toBe(
      401,
    );
  });

  it('the main token holds every permission; GET /admins/:id finds the admin or answers admin_not_found', async () => {
    const found = await sandbox.app.inject({ method: 'GET', url: '/admins/42', headers: as('main-token') });
    expect(found.statusCode).toBe(200);
    expect(checkAgainstSpec('admin', found.json(), { checkFormats: false }).valid).toBe(true);
    const missing = await sandbox.app.inject({ method: 'GET', url: '/admins/7', headers: as('main-token') });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().errors[0].code).toBe('admin_not_found');
  });

  it('grants a limited token through the control route, and reset keeps only the configured ones', async () => {
    const granted = await sandbox.app.inject({
      method: 'POST',
      url: '/_sandbox/tokens',
      payload: { token: 'no-redact-token', permissions: ['Read conversations'] },
    });
    expect(granted.statusCode).toBe(201);
    const refused = await sandbox.app.inject({
      method: 'POST',
      url: '/_sandbox/tokens',
      payload: { token: 'another-token', permissions: ['Delete everything'] },
    });
    expect(refused.statusCode).toBe(400);
    const redact = await sandbox.app.inject({
      method: 'POST',
      url: '/conversations/redact',
      headers: as('no-redact-token'),
      payload: { type: 'conversation_part', conversation_id: '1', conversation_part_id: '2' },
    });
    expect(redact.statusCode).toBe(403);
    sandbox.reset();
    expect(
      (await sandbox.app.inject({ method: 'GET', url: '/me', headers: as('no-redact-token') })).statusCode,
    ).toBe(401);
    expect(
      (await sandbox.app.inject({ method: 'GET', url: '/me', headers: as('read-only-token') })).statusCode,
    ).toBe(200);
  });
});
