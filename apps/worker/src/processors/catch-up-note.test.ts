import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { click, noteLines, startTestWorker, type TestWorker, waitFor } from '../../test/test-worker.js';

let harness: TestWorker;
beforeAll(async () => {
  harness = await startTestWorker({ PRECHAT_ACTIONS: '2' });
});
afterAll(async () => {
  await harness?.close();
});

describe('the catch-up note', () => {
  it('carries at most PRECHAT_ACTIONS actions, the newest, numbered on; then live notes', async () => {
    const { sandbox, composed } = harness;
    const contact = sandbox.createContact({ external_id: 'user_catch_up' });
    const conversation = sandbox.createConversation({ contactId: contact.id });
    const ref = { contactId: contact.id, externalId: 'user_catch_up', email: null };
    const start = Math.floor(Date.now() / 1000);
    await harness.link({ conversationId: conversation.id, contact: ref, notificationAt: start });
    await waitFor(() => composed.deps.links.get(conversation.id).then((link) => link ?? undefined));
    await harness.capture('user_catch_up', [click('/a', 'First', new Date())]);
    await waitFor(() => (noteLines(sandbox, conversation.id).length === 1 ? true : undefined));

    await harness.link({
      topic: 'conversation.admin.closed',
      conversationId: conversation.id,
      contact: ref,
      notificationAt: start + 1,
    });
    await waitFor(async () =>
      (await composed.deps.links.get(conversation.id))?.status === 'closed' ? true : undefined,
    );
    const during = ['One', 'Two', 'Three', 'Four'].map((label, index) =>
      click('/b', label, new Date(Date.now() - (4 - index) * 10)),
    );
    await harness.capture('user_catch_up', during);
    expect(
      await composed.deps.links.conversationsOf({
        productId: harness.config.productId,
        userId: 'user_catch_up',
      }),
    ).toEqual([]);

    await harness.link({
      topic: 'conversation.admin.opened',
      conversationId: conversation.id,
      contact: ref,
      notificationAt: start + 2,
    });
    await waitFor(() => (sandbox.notes(conversation.id).length === 2 ? true : undefined));
    const catchUp = sandbox.notes(conversation.id)[1]!;
    expect(catchUp.body).toContain('Catch-up: while the conversation was closed');
    expect(catchUp.body).toContain('the newest 2 actions');
    expect(noteLines(sandbox, conversation.id)).toEqual([
      '[1] Clicked &quot;First&quot; button on /a',
      '[2] Clicked &quot;Three&quot; button on /b',
      '[3] Clicked &quot;Four&quot; button on /b',
    ]);
    // Recorded with its lines, for summaries.
    const [, recorded] = await composed.deps.delivery.notes(conversation.id);
    expect(recorded?.lines).toEqual([
      { number: 2, text: 'Clicked "Three" button on /b' },
      { number: 3, text: 'Clicked "Four" button on /b' },
    ]);
    expect((await composed.deps.delivery.state(conversation.id)).catchUp).toBeNull();

    await harness.capture('user_catch_up', [click('/c', 'Live', new Date())]);
    await waitFor(() => (noteLines(sandbox, conversation.id).length === 4 ? true : undefined));
    expect(noteLines(sandbox, conversation.id).at(-1)).toBe('[4] Clicked &quot;Live&quot; button on /c');
    expect(sandbox.notes(conversation.id).at(-1)!.body).not.toContain('Catch-up');
  });
});
