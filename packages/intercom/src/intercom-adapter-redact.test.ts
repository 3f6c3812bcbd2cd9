import { IntercomError } from '@threadline/core';
import { createIntercomSandbox, type IntercomSandbox, redactedBody } from '@threadline/intercom-sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntercomAdapter } from './intercom-adapter.js';

let sandbox: IntercomSandbox;
let adapter: IntercomAdapter;

beforeAll(async () => {
  sandbox = await createIntercomSandbox({ token: 'redact-test-token' });
  const baseUrl = await sandbox.listen();
  adapter = new IntercomAdapter({ accessToken: 'redact-test-token', baseUrl, timeoutMs: 5000 });
});
afterAll(() => sandbox.close());

describe('IntercomAdapter: listing notes and redacting parts (sandbox over HTTP)', () => {
  it('lists notes with their bodies, redacts one, and answers not_redactable to a second redaction', async () => {
    const contact = sandbox.createContact({ external_id: 'user_redact' });
    const conversation = sandbox.createConversation({ contactId: contact.id, body: 'help' });
    const first = await adapter.addNote(conversation.id, {
      html: '<p>[1] Viewed /a</p><p>ref-1</p>',
      reference: 'ref-1',
    });
    const second = await adapter.addNote(conversation.id, {
      html: '<p>[2] Viewed /b</p><p>ref-2</p>',
      reference: 'ref-2',
    });

    const listed = await adapter.listNotes(conversation.id);
    expect(listed.map((note) => note.partId)).toEqual([first.partId, second.partId]);
    expect(listed[0]?.html).toContain('[1] Viewed /a');

    expect(await adapter.redactPart(conversation.id, first.partId)).toBe('redacted');
    expect(await adapter.redactPart(conversation.id, first.partId)).toBe('not_redactable');
    const notes = sandbox.notes(conversation.id);
    expect(notes.map((note) => note.redacted)).toEqual([true, false]);
    expect(notes[0]?.body).toBe(redactedBody);
  });

  it('reports an unknown part as not_found', async () => {
    const contact = sandbox.createContact({ external_id: 'user_redact_missing' });
    const conversation = sandbox.createConversation({ contactId: contact.id, body: 'help' });
    const error = await adapter.redactPart(conversation.id, '999999999').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(IntercomError);
    expect((error as IntercomError).code).toBe('not_found');
  });
});
