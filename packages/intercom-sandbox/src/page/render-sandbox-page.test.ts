import { describe, expect, it } from 'vitest';
import { createIntercomSandbox } from '../create-intercom-sandbox.js';
import { sanitizeNoteHtml } from './sanitize-note-html.js';

describe('the sandbox page', () => {
  it('escapes a hostile contact name and strips scripts from note bodies, keeping their markup', async () => {
    const sandbox = await createIntercomSandbox({ token: 't' });
    const contact = sandbox.createContact({ external_id: 'user_<1>', name: '<img src=x onerror=alert(1)>' });
    const conversation = sandbox.createConversation({ contactId: contact.id });
    const reply = await sandbox.app.inject({
      method: 'POST',
      url: `/conversations/${conversation.id}/reply`,
      headers: { authorization: 'Bearer t' },
      payload: {
        message_type: 'note',
        type: 'admin',
        admin_id: '991267',
        body: '<p>[1] Viewed <b>Pricing</b></p><script>alert(2)</script><a href="/x" onclick="alert(3)">x</a>',
      },
    });
    expect(reply.statusCode).toBe(200);

    const page = await sandbox.app.inject({ method: 'GET', url: '/' });
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('<title>Intercom sandbox — Threadline</title>');
    expect(page.body).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page.body).not.toContain('<img');
    expect(page.body).toContain('user_&lt;1&gt;');
    expect(page.body).toContain('<p>[1] Viewed <b>Pricing</b></p>');
    // The page's own script (its buttons) is the only one; the note's is stripped.
    expect(page.body.match(/<script/g)).toHaveLength(1);
    expect(page.body).not.toMatch(/onclick|alert\([23]\)/);
    // It updates itself by polling a small JSON route, never by reloading.
    expect(page.body).not.toContain('http-equiv="refresh"');
    expect(page.body).toContain('/_sandbox/inbox.json');
    await sandbox.close();
  });

  it('shows a redacted note as redacted, with its part id', async () => {
    const sandbox = await createIntercomSandbox({ token: 't' });
    const contact = sandbox.createContact({ external_id: 'user_1' });
    const conversation = sandbox.createConversation({ contactId: contact.id });
    const headers = { authorization: 'Bearer t' };
    await sandbox.app.inject({
      method: 'POST',
      url: `/conversations/${conversation.id}/reply`,
      headers,
      payload: { message_type: 'note', type: 'admin', admin_id: '991267', body: 'secret' },
    });
    const [note] = sandbox.notes(conversation.id);
    await sandbox.app.inject({
      method: 'POST',
      url: '/conversations/redact',
      headers,
      payload: {
        type: 'conversation_part',
        conversation_id: conversation.id,
        conversation_part_id: note!.id,
      },
    });
    const page = await sandbox.app.inject({ method: 'GET', url: '/' });
    expect(page.body).toContain(`class="part note redacted" data-part-id="${note!.id}"`);
    expect(page.body).toContain('<span class="badge">redacted</span>');
    expect(page.body).not.toContain('secret');
    await sandbox.close();
  });
});

describe('the sandbox page and a conversation state', () => {
  it('shows the state and offers Close and Snooze when open, Reopen when closed, with the state parts', async () => {
    const sandbox = await createIntercomSandbox({ token: 't' });
    const contact = sandbox.createContact({ external_id: 'user_1' });
    const conversation = sandbox.createConversation({ contactId: contact.id });
    const open = (await sandbox.app.inject({ method: 'GET', url: '/' })).body;
    expect(open).toContain('data-state="open">open</span>');
    expect(open).toContain(
      `<button data-state="closed" data-conversation="${conversation.id}">Close</button>`,
    );
    expect(open).toContain(
      `<button data-state="snoozed" data-conversation="${conversation.id}">Snooze</button>`,
    );
    expect(open).not.toContain('>Reopen</button>');
    const closed = await sandbox.app.inject({
      method: 'POST',
      url: `/_sandbox/conversations/${conversation.id}/state`,
      payload: { state: 'closed' },
    });
    expect(closed.statusCode).toBe(201);
    expect(closed.json()).toMatchObject({ topic: 'conversation.admin.closed', part: { part_type: 'close' } });
    const page = (await sandbox.app.inject({ method: 'GET', url: '/' })).body;
    expect(page).toContain('data-state="closed">closed</span>');
    expect(page).toContain('>Reopen</button>');
    expect(page).not.toContain('>Close</button>');
    expect(page).toContain('closed the conversation');
    const again = await sandbox.app.inject({
      method: 'POST',
      url: `/_sandbox/conversations/${conversation.id}/state`,
      payload: { state: 'closed' },
    });
    expect(again.statusCode).toBe(409);
    await sandbox.close();
  });
});

describe('the sandbox page as an inbox', () => {
  const threadlineNote =
    '<p><i>Activity from the product, written by Threadline.</i></p><p>[1] Viewed Pricing (/pricing)</p>' +
    '<p><br></p><p>[2] Clicked "Pay now" button on /billing</p><p><i>Threadline · tl-7-1-2</i></p>';

  it('marks Threadline notes as internal, draws the pause as a break and the reference as metadata', async () => {
    const sandbox = await createIntercomSandbox({ token: 't' });
    const contact = sandbox.createContact({
      external_id: 'user_1',
      name: 'Sam Rivera',
      email: 'sam@example.com',
    });
    const conversation = sandbox.createConversation({
      contactId: contact.id,
      body: "I can't change my plan",
    });
    await sandbox.app.inject({
      method: 'POST',
      url: `/conversations/${conversation.id}/reply`,
      headers: { authorization: 'Bearer t' },
      payload: { message_type: 'note', type: 'admin', admin_id: '991267', body: threadlineNote },
    });
    const page = (await sandbox.app.inject({ method: 'GET', url: '/' })).body;
    expect(page).toContain('<header class="note-label">Internal note · Threadline</header>');
    expect(page).toContain('data-pause-break');
    expect(page).not.toContain('<p><br></p>');
    expect(page).toMatch(/class="part-meta">[^<]*<span class="reference"[^>]*>tl-7-1-2<\/span>/);
    expect(page).not.toContain('<i>Threadline · tl-7-1-2</i>');
    expect(page).toContain('<h2 class="contact-name">Sam Rivera</h2>');
    expect(page).toContain('User ID user_1 · sam@example.com');
    expect(page).toContain('data-slot="apps-beside-conversation"');
    await sandbox.close();
  });

  it('names a contact without a name by email, then User ID, then as a lead', async () => {
    const sandbox = await createIntercomSandbox({ token: 't' });
    for (const input of [{ external_id: 'u-9' }, { email: 'lee@example.com' }, {}]) {
      sandbox.createConversation({ contactId: sandbox.createContact(input).id });
    }
    const page = (await sandbox.app.inject({ method: 'GET', url: '/' })).body;
    expect(page).toContain('>User u-9<');
    expect(page).toContain('>lee@example.com<');
    expect(page).toContain('>Anonymous lead<');
    expect(page).not.toContain('(no name)');
    await sandbox.close();
  });

  it('serves the selected thread as JSON whose version changes when a note arrives', async () => {
    const sandbox = await createIntercomSandbox({ token: 't' });
    const first = sandbox.createConversation({ contactId: sandbox.createContact({ name: 'Ana' }).id });
    sandbox.createConversation({ contactId: sandbox.createContact({ name: 'Ben' }).id });
    const read = async () =>
      (
        await sandbox.app.inject({ method: 'GET', url: `/_sandbox/inbox.json?conversation=${first.id}` })
      ).json();
    const before = await read();
    expect(before.selected).toBe(first.id);
    expect(before.thread).toContain('Ana');
    expect(before.list).toContain('aria-current="true"');
    expect((await read()).version).toBe(before.version);
    await sandbox.app.inject({
      method: 'POST',
      url: `/conversations/${first.id}/reply`,
      headers: { authorization: 'Bearer t' },
      payload: { message_type: 'note', type: 'admin', admin_id: '991267', body: threadlineNote },
    });
    const after = await read();
    expect(after.version).not.toBe(before.version);
    expect(after.thread).toContain('Internal note · Threadline');
    await sandbox.close();
  });
});

describe('sanitizeNoteHtml', () => {
  it('removes constructs that only appear when an earlier removal splices text together', () => {
    expect(sanitizeNoteHtml('<scr<script>x</script>ipt>alert(1)</script>')).not.toMatch(/<script/i);
    expect(sanitizeNoteHtml('<a href="javascript:alert(1)">x</a>')).toBe('<a>x</a>');
  });
});
