import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  click,
  noteLines,
  pageview,
  startTestWorker,
  type TestWorker,
  waitFor,
} from '../test/test-worker.js';

let harness: TestWorker;
beforeAll(async () => {
  harness = await startTestWorker();
});
afterAll(async () => {
  await harness?.close();
});

function ago(seconds: number): Date {
  return new Date(Date.now() - seconds * 1000);
}

describe('worker: link, pre-chat note, live notes', () => {
  it('writes the pre-chat note first, then live actions numbered on', async () => {
    const { sandbox } = harness;
    await harness.capture('user_8812', [
      pageview('/pricing', ago(60), 'Pricing'),
      click('/pricing', 'Choose Pro', ago(55)),
      pageview('/billing', ago(50), 'Billing'),
      click('/billing', 'Pay now', ago(40)),
    ]);
    const contact = sandbox.createContact({ external_id: 'user_8812' });
    const conversation = sandbox.createConversation({
      contactId: contact.id,
      body: "I can't change my plan",
    });
    await harness.link({
      conversationId: conversation.id,
      contact: { contactId: contact.id, externalId: 'user_8812', email: null },
    });
    const first = await waitFor(() =>
      sandbox.notes(conversation.id).length >= 1 ? sandbox.notes(conversation.id) : undefined,
    );
    expect(first).toHaveLength(1);
    expect(first[0]!.body).toContain('Before opening chat');
    expect(noteLines(sandbox, conversation.id)).toEqual([
      '[1] Viewed Pricing (/pricing)',
      '[2] Clicked &quot;Choose Pro&quot; button on /pricing',
      '[3] Viewed Billing (/billing)',
      '[4] Clicked &quot;Pay now&quot; button on /billing',
    ]);

    await harness.capture('user_8812', [click('/billing', 'Retry <b>now</b>', new Date())]);
    await waitFor(() => (sandbox.notes(conversation.id).length >= 2 ? true : undefined));
    expect(noteLines(sandbox, conversation.id).at(-1)).toBe(
      '[5] Clicked &quot;Retry &lt;b&gt;now&lt;/b&gt;&quot; button on /billing',
    );
    const written = await harness.composed.deps.delivery.notes(conversation.id);
    expect(written.map((note) => note.partId)).toEqual(sandbox.notes(conversation.id).map((part) => part.id));
  });

  it('keeps what happened before the conversation apart from what happened since', async () => {
    const { sandbox } = harness;
    await harness.capture('user_split', [
      pageview('/pricing', ago(120), 'Pricing'),
      click('/pricing', 'Upgrade', ago(100)),
      pageview('/billing', ago(20), 'Billing'),
    ]);
    const contact = sandbox.createContact({ external_id: 'user_split' });
    const conversation = sandbox.createConversation({ contactId: contact.id });
    await harness.link({
      conversationId: conversation.id,
      conversationCreatedAt: Math.floor(ago(60).getTime() / 1000),
      contact: { contactId: contact.id, externalId: 'user_split', email: null },
    });
    await waitFor(() => (sandbox.notes(conversation.id).length >= 2 ? true : undefined));
    const [prechat, live] = sandbox.notes(conversation.id);
    expect(prechat!.body).toContain('Before opening chat');
    expect(prechat!.body).toContain('[1] Viewed Pricing');
    expect(prechat!.body).toContain('[2] Clicked &quot;Upgrade&quot;');
    expect(live!.body).not.toContain('Before opening chat');
    expect(live!.body).toContain('[3] Viewed Billing');
  });

  it('writes to both conversations of a user who opened two', async () => {
    const { sandbox } = harness;
    await harness.capture('user_two', [pageview('/home', ago(30), 'Home')]);
    const contact = sandbox.createContact({ external_id: 'user_two' });
    const first = sandbox.createConversation({ contactId: contact.id });
    const second = sandbox.createConversation({ contactId: contact.id });
    for (const conversation of [first, second]) {
      await harness.link({
        conversationId: conversation.id,
        contact: { contactId: contact.id, externalId: 'user_two', email: null },
      });
    }
    await waitFor(() =>
      sandbox.notes(first.id).length === 1 && sandbox.notes(second.id).length === 1 ? true : undefined,
    );
    await harness.capture('user_two', [click('/home', 'Export', new Date())]);
    await waitFor(() =>
      sandbox.notes(first.id).length === 2 && sandbox.notes(second.id).length === 2 ? true : undefined,
    );
    expect(noteLines(sandbox, first.id)).toEqual(noteLines(sandbox, second.id));
    expect(noteLines(sandbox, first.id)).toEqual([
      '[1] Viewed Home (/home)',
      '[2] Clicked &quot;Export&quot; button on /home',
    ]);
  });

  it('links on a reply that arrives before its conversation.user.created, once', async () => {
    const { sandbox } = harness;
    await harness.capture('user_unordered', [pageview('/docs', ago(30), 'Docs')]);
    const contact = sandbox.createContact({ external_id: 'user_unordered' });
    const conversation = sandbox.createConversation({ contactId: contact.id });
    const contactRef = { contactId: contact.id, externalId: 'user_unordered', email: null };
    await harness.link({
      topic: 'conversation.user.replied',
      conversationId: conversation.id,
      contact: contactRef,
    });
    await harness.link({
      topic: 'conversation.user.created',
      conversationId: conversation.id,
      contact: contactRef,
    });
    await waitFor(() => (sandbox.notes(conversation.id).length === 1 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(noteLines(sandbox, conversation.id)).toEqual(['[1] Viewed Docs (/docs)']);
  });

  it('resolves a contact without external_id through GET /contacts/{id}', async () => {
    const { sandbox } = harness;
    await harness.capture('user_lookup', [pageview('/settings', ago(10), 'Settings')]);
    const contact = sandbox.createContact({ external_id: 'user_lookup' });
    const conversation = sandbox.createConversation({ contactId: contact.id });
    await harness.link({
      conversationId: conversation.id,
      contact: { contactId: contact.id, externalId: null, email: null },
    });
    await waitFor(() => (sandbox.notes(conversation.id).length === 1 ? true : undefined));
    expect(noteLines(sandbox, conversation.id)).toEqual(['[1] Viewed Settings (/settings)']);
    expect(
      sandbox
        .requests()
        .some((request) => request.method === 'GET' && request.path === `/contacts/${contact.id}`),
    ).toBe(true);
  });

  it('records a lead it cannot link, with the reason, and writes nothing', async () => {
    const { sandbox } = harness;
    const lead = sandbox.createContact({ external_id: null, email: 'lead@example.com' });
    const conversation = sandbox.createConversation({ contactId: lead.id });
    await harness.link({
      conversationId: conversation.id,
      contact: { contactId: lead.id, externalId: null, email: null },
    });
    const link = harness.composed.deps.links;
    await waitFor(async () => {
      const { Redis } = await import('ioredis');
      const redis = new Redis(harness.config.redisUrl);
      const entries = await redis.xrange(`${harness.config.prefix}:{ops}:unlinked`, '-', '+');
      redis.disconnect();
      return entries.find(([, fields]) => fields.includes(conversation.id)) ? true : undefined;
    });
    expect(await link.get(conversation.id)).toBeNull();
    expect(sandbox.notes(conversation.id)).toEqual([]);
  });

  it('posts a note exactly once when Intercom wrote it but answered 500', async () => {
    const { sandbox } = harness;
    await harness.capture('user_flaky', [pageview('/export', ago(5), 'Export')]);
    const contact = sandbox.createContact({ external_id: 'user_flaky' });
    const conversation = sandbox.createConversation({ contactId: contact.id });
    sandbox.injectFault({
      status: 500,
      applyEffect: true,
      count: 1,
      method: 'POST',
      pathPattern: `/conversations/${conversation.id}/reply`,
    });
    await harness.link({
      conversationId: conversation.id,
      contact: { contactId: contact.id, externalId: 'user_flaky', email: null },
    });
    await waitFor(
      async () =>
        (await harness.composed.deps.delivery.notes(conversation.id)).length === 1 ? true : undefined,
      15_000,
    );
    expect(noteLines(sandbox, conversation.id)).toEqual(['[1] Viewed Export (/export)']);
    const lookups = sandbox
      .requests()
      .filter((request) => request.method === 'GET' && request.path === `/conversations/${conversation.id}`);
    expect(lookups.length).toBeGreaterThanOrEqual(1);
  });

  it('waits out a 429 and then delivers once', async () => {
    const { sandbox } = harness;
    await harness.capture('user_limited', [pageview('/reports', ago(5), 'Reports')]);
    const contact = sandbox.createContact({ external_id: 'user_limited' });
    const conversation = sandbox.createConversation({ contactId: contact.id });
    sandbox.injectFault({
      status: 429,
      retryAfterSeconds: 1,
      count: 1,
      method: 'POST',
      pathPattern: `/conversations/${conversation.id}/reply`,
    });
    await harness.link({
      conversationId: conversation.id,
      contact: { contactId: contact.id, externalId: 'user_limited', email: null },
    });
    await waitFor(() => (sandbox.notes(conversation.id).length === 1 ? true : undefined), 15_000);
    const replies = sandbox
      .requests()
      .filter((request) => request.path === `/conversations/${conversation.id}/reply`);
    expect(replies.map((request) => request.status)).toEqual([429, 200]);
    expect(noteLines(sandbox, conversation.id)).toEqual(['[1] Viewed Reports (/reports)']);
  });
});
