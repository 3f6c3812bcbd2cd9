import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createIntercomSandbox, type IntercomSandbox } from '../create-intercom-sandbox.js';
import { checkAgainstSpec } from '../spec/spec-validator.js';
import { redactedBody } from '../state/sandbox-store.js';

const token = 'test-token';
const auth = { authorization: `Bearer ${token}` };
let sandbox: IntercomSandbox;

beforeEach(async () => {
  sandbox = await createIntercomSandbox({ token, adminId: '42', appId: 'app123' });
});
afterEach(async () => {
  await sandbox.close();
});

function conforms(schemaName: string, value: unknown): void {
  const check = checkAgainstSpec(schemaName, value, { checkFormats: false });
  expect(check.valid ? 'conforms' : check.violation.message).toBe('conforms');
}

function openConversation() {
  const contact = sandbox.createContact({ external_id: 'user_8812', email: 'sam@example.com', name: 'Sam' });
  return { contact, conversation: sandbox.createConversation({ contactId: contact.id, body: 'help' }) };
}

function addNote(
  conversationId: string,
  body: unknown = { message_type: 'note', type: 'admin', admin_id: '42', body: '<p>[1] Viewed</p>' },
) {
  return sandbox.app.inject({
    method: 'POST',
    url: `/conversations/${conversationId}/reply`,
    headers: auth,
    payload: body as object,
  });
}

describe('authentication', () => {
  it.each([
    ['no token', {}],
    ['a wrong token', { authorization: 'Bearer nope' }],
  ])('answers 401 with Intercom’s error for %s', async (_case, headers) => {
    const response = await sandbox.app.inject({ method: 'GET', url: '/me', headers });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({
      type: 'error.list',
      errors: [{ code: 'unauthorized', message: 'Access Token Invalid' }],
    });
    conforms('error', response.json());
    expect(response.headers['x-ratelimit-limit']).toBe('1666');
  });
});

describe('GET /me', () => {
  it('answers the admin with its app', async () => {
    const response = await sandbox.app.inject({ method: 'GET', url: '/me', headers: auth });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      type: 'admin',
      id: '42',
      app: { type: 'app', id_code: 'app123' },
    });
    conforms('admin_with_app', response.json());
    expect(Number(response.headers['x-ratelimit-remaining'])).toBe(1665);
    expect(Number(response.headers['x-ratelimit-reset'])).toBeGreaterThan(Date.now() / 1000);
  });
});

describe('POST /conversations/{id}/reply', () => {
  it('adds an admin note with a unique numeric part id and answers the whole conversation', async () => {
    const { conversation } = openConversation();
    const first = await addNote(conversation.id);
    const second = await addNote(conversation.id, {
      message_type: 'note',
      type: 'admin',
      admin_id: '42',
      body: 'plain',
    });
    expect(first.statusCode).toBe(200);
    const parts = second.json().conversation_parts;
    expect(parts.total_count).toBe(2);
    expect(parts.conversation_parts.map((part: { body: string }) => part.body)).toEqual([
      '<p>[1] Viewed</p>',
      '<p>plain</p>',
    ]);
    const [a, b] = parts.conversation_parts;
    expect(a.id).toMatch(/^\d+$/);
    expect(b.id).toMatch(/^\d+$/);
    expect(a.id).not.toBe(b.id);
    expect(a).toMatchObject({ part_type: 'note', redacted: false, author: { type: 'admin', id: '42' } });
    expect(typeof a.created_at).toBe('number');
    for (const part of parts.conversation_parts) conforms('conversation_part', part);
    expect(sandbox.notes(conversation.id).map((note) => note.id)).toEqual([a.id, b.id]);
  });

  it.each([
    ['a note without admin_id', { message_type: 'note', type: 'admin', body: 'x' }, 'admin_id'],
    [
      'an unknown message_type',
      { message_type: 'memo', type: 'admin', admin_id: '42', body: 'x' },
      'message_type',
    ],
    ['a numeric admin_id', { message_type: 'note', type: 'admin', admin_id: 42, body: 'x' }, 'admin_id'],
  ])('rejects %s with a 400 naming the field', async (_case, body, field) => {
    const { conversation } = openConversation();
    const response = await addNote(conversation.id, body);
    expect(response.statusCode).toBe(400);
    expect(response.json().type).toBe('error.list');
    expect(response.json().errors[0].message).toContain(field);
    expect(sandbox.notes(conversation.id)).toEqual([]);
  });

  it('rejects a note without a body', async () => {
    const { conversation } = openConversation();
    const response = await addNote(conversation.id, { message_type: 'note', type: 'admin', admin_id: '42' });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors[0].message).toContain('body');
  });

  it('answers 404 for an unknown conversation and for an admin the workspace does not have', async () => {
    const unknownConversation = await addNote('999');
    expect(unknownConversation.statusCode).toBe(404);
    expect(unknownConversation.json().errors[0]).toEqual({
      code: 'not_found',
      message: 'Resource Not Found',
    });
    const { conversation } = openConversation();
    const unknownAdmin = await addNote(conversation.id, {
      message_type: 'note',
      type: 'admin',
      admin_id: '7',
      body: 'x',
    });
    expect(unknownAdmin.statusCode).toBe(404);
    expect(sandbox.notes(conversation.id)).toEqual([]);
  });

  it('accepts a contact reply and answers Intercom’s error for a malformed JSON body', async () => {
    const { conversation, contact } = openConversation();
    const response = await addNote('last', {
      message_type: 'comment',
      type: 'user',
      user_id: contact.external_id,
      body: 'hey',
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().id).toBe(conversation.id);
    expect(response.json().conversation_parts.conversation_parts[0]).toMatchObject({
      part_type: 'comment',
      author: { type: 'user' },
    });
    const malformed = await sandbox.app.inject({
      method: 'POST',
      url: `/conversations/${conversation.id}/reply`,
      headers: { ...auth, 'content-type': 'application/json' },
      payload: '{"message_type":',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().type).toBe('error.list');
  });
});

describe('POST /conversations/redact', () => {
  it('marks the part redacted, and a second redact of it is refused like Intercom does', async () => {
    const { conversation } = openConversation();
    const partId = (await addNote(conversation.id)).json().conversation_parts.conversation_parts[0].id;
    const payload = {
      type: 'conversation_part',
      conversation_id: conversation.id,
      conversation_part_id: partId,
    };
    const first = await sandbox.app.inject({
      method: 'POST',
      url: '/conversations/redact',
      headers: auth,
      payload,
    });
    expect(first.statusCode).toBe(200);
    expect(first.json().conversation_parts.conversation_parts[0]).toMatchObject({
      id: partId,
      redacted: true,
      body: redactedBody,
    });
    expect(sandbox.notes(conversation.id)[0]).toMatchObject({ redacted: true, body: redactedBody });

    const second = await sandbox.app.inject({
      method: 'POST',
      url: '/conversations/redact',
      headers: auth,
      payload,
    });
    expect(second.statusCode).toBe(400);
    expect(second.json().errors[0].code).toBe('conversation_part_not_redactable');
  });

  it('answers 404 for an unknown part or conversation and 400 for a body the spec rejects', async () => {
    const { conversation } = openConversation();
    for (const payload of [
      { type: 'conversation_part', conversation_id: conversation.id, conversation_part_id: '1' },
      { type: 'conversation_part', conversation_id: '1', conversation_part_id: '1' },
    ]) {
      const response = await sandbox.app.inject({
        method: 'POST',
        url: '/conversations/redact',
        headers: auth,
        payload,
      });
      expect(response.statusCode).toBe(404);
      expect(response.json().errors[0].code).toBe('conversation_part_or_message_not_found');
    }
    const invalid = await sandbox.app.inject({
      method: 'POST',
      url: '/conversations/redact',
      headers: auth,
      payload: { type: 'conversation_part', conversation_id: conversation.id },
    });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().errors[0].message).toBe('conversation_part_id is required');
  });

  it('redacts a source written by the contact', async () => {
    const { conversation } = openConversation();
    const response = await sandbox.app.inject({
      method: 'POST',
      url: '/conversations/redact',
      headers: auth,
      payload: { type: 'source', conversation_id: conversation.id, source_id: conversation.source.id },
    });
    expect(response.json().source).toMatchObject({ redacted: true, body: redactedBody });
  });
});

describe('GET /conversations/{id}', () => {
  it('lists all parts in the order they were added, as plain text on request', async () => {
    const { conversation } = openConversation();
    for (const text of ['<p>one &amp; <a href="https://x.test/a">link</a></p>', 'two', 'three']) {
      await addNote(conversation.id, { message_type: 'note', type: 'admin', admin_id: '42', body: text });
    }
    const response = await sandbox.app.inject({
      method: 'GET',
      url: `/conversations/${conversation.id}`,
      headers: auth,
    });
    expect(response.statusCode).toBe(200);
    const bodies = response
      .json()
      .conversation_parts.conversation_parts.map((part: { body: string }) => part.body);
    expect(bodies).toEqual([
      '<p>one &amp; <a href="https://x.test/a">link</a></p>',
      '<p>two</p>',
      '<p>three</p>',
    ]);
    const plain = await sandbox.app.inject({
      method: 'GET',
      url: `/conversations/${conversation.id}?display_as=plaintext`,
      headers: auth,
    });
    expect(plain.json().conversation_parts.conversation_parts[0].body).toBe('one & link (https://x.test/a)');
    const missing = await sandbox.app.inject({ method: 'GET', url: '/conversations/404404', headers: auth });
    expect(missing.statusCode).toBe(404);
  });
});

describe('the 500-part limit', () => {
  it('answers only the 500 most recent parts, like Intercom, while the conversation keeps them all', async () => {
    const { conversation } = openConversation();
    for (let index = 1; index <= 503; index += 1) {
      await addNote(conversation.id, {
        message_type: 'note',
        type: 'admin',
        admin_id: '42',
        body: `n${index}`,
      });
    }
    const response = await sandbox.app.inject({
      method: 'GET',
      url: `/conversations/${conversation.id}`,
      headers: auth,
    });
    const parts = response.json().conversation_parts.conversation_parts as { body: string }[];
    expect(parts).toHaveLength(500);
    expect(parts[0]!.body).toBe('<p>n4</p>');
    expect(parts.at(-1)!.body).toBe('<p>n503</p>');
    expect(sandbox.notes(conversation.id)).toHaveLength(503);
    const replied = await addNote(conversation.id, {
      message_type: 'note',
      type: 'admin',
      admin_id: '42',
      body: 'n504',
    });
    expect(replied.json().conversation_parts.conversation_parts).toHaveLength(500);
  });
});

describe('contacts', () => {
  it('gets a contact by id and answers 404 for an unknown one', async () => {
    const { contact } = openConversation();
    const response = await sandbox.app.inject({
      method: 'GET',
      url: `/contacts/${contact.id}`,
      headers: auth,
    });
    expect(response.json()).toMatchObject({
      type: 'contact',
      id: contact.id,
      external_id: 'user_8812',
      role: 'user',
    });
    conforms('contact', response.json());
    const missing = await sandbox.app.inject({ method: 'GET', url: '/contacts/nope', headers: auth });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().errors[0]).toEqual({ code: 'not_found', message: 'User Not Found' });
  });

  it('searches by external_id, email, id and nested filters, answering the spec’s list shape', async () => {
    const { contact } = openConversation();
    const other = sandbox.createContact({ external_id: 'user_2', email: 'lee@example.com' });
    const search = (query: unknown) =>
      sandbox.app.inject({ method: 'POST', url: '/contacts/search', headers: auth, payload: { query } });

    const byExternalId = await search({ field: 'external_id', operator: '=', value: 'user_8812' });
    expect(byExternalId.json()).toMatchObject({ type: 'list', total_count: 1, data: [{ id: contact.id }] });
    conforms('contact_list', byExternalId.json());
    expect(
      (await search({ field: 'email', operator: '=', value: 'lee@example.com' })).json().data[0].id,
    ).toBe(other.id);
    expect((await search({ field: 'id', operator: '=', value: other.id })).json().total_count).toBe(1);
    const nested = await search({
      operator: 'OR',
      value: [
        { operator: 'AND', value: [{ field: 'external_id', operator: '=', value: 'user_2' }] },
        {
          operator: 'AND',
          value: [
            { field: 'email', operator: '=', value: 'sam@example.com' },
            { field: 'role', operator: '=', value: 'user' },
          ],
        },
      ],
    });
    expect(nested.json().data.map((found: { id: string }) => found.id)).toEqual([contact.id, other.id]);
    const none = await search({ field: 'external_id', operator: '=', value: 'nobody' });
    expect(none.json()).toMatchObject({ type: 'list', data: [], total_count: 0 });

    const invalid = await sandbox.app.inject({
      method: 'POST',
      url: '/contacts/search',
      headers: auth,
      payload: {},
    });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().errors[0].message).toBe('query is required');
  });
});

describe('recorded requests', () => {
  it('records method, path, status and body of every API request, not the control routes', async () => {
    await sandbox.app.inject({ method: 'GET', url: '/me' });
    const query = { field: 'id', operator: '=', value: 'x' };
    await sandbox.app.inject({ method: 'POST', url: '/contacts/search', headers: auth, payload: { query } });
    await sandbox.app.inject({ method: 'GET', url: '/_sandbox/conversations' });
    expect(
      sandbox.requests().map(({ method, path, status, body }) => ({ method, path, status, body })),
    ).toEqual([
      { method: 'GET', path: '/me', status: 401, body: null },
      { method: 'POST', path: '/contacts/search', status: 200, body: { query } },
    ]);
    sandbox.reset();
    expect(sandbox.requests()).toEqual([]);
  });
});
