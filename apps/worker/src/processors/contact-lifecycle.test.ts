import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noteLines, pageview, startTestWorker, type TestWorker, waitFor } from '../../test/test-worker.js';

let harness: TestWorker;
beforeAll(async () => {
  harness = await startTestWorker();
});
afterAll(async () => {
  await harness?.close();
});

const now = () => Math.floor(Date.now() / 1000);

describe('contact.merged and contact.deleted', () => {
  it('links a lead’s conversation once the lead is merged into a user, and writes its first note', async () => {
    const { sandbox, composed } = harness;
    await harness.capture('user_merged', [pageview('/pricing', new Date(Date.now() - 5000), 'Pricing')]);
    const lead = sandbox.createContact({ email: 'lead@example.com' });
    const conversation = sandbox.createConversation({ contactId: lead.id });
    await harness.link({
      conversationId: conversation.id,
      contact: { contactId: lead.id, externalId: null, email: null },
    });
    await waitFor(async () => ((await composed.deps.links.awaiting(conversation.id)) ? true : undefined));
    expect(await composed.deps.links.get(conversation.id)).toBeNull();

    await harness.link({
      topic: 'contact.merged',
      conversationId: '',
      contact: { contactId: lead.id, externalId: 'user_merged', email: 'lead@example.com' },
      notificationAt: now(),
    });
    const link = await waitFor(() =>
      composed.deps.links.get(conversation.id).then((found) => found ?? undefined),
    );
    expect(link).toMatchObject({ userId: 'user_merged', status: 'open', contactId: lead.id });
    await waitFor(() => (noteLines(sandbox, conversation.id).length === 1 ? true : undefined));
    expect(noteLines(sandbox, conversation.id)).toEqual(['[1] Viewed Pricing (/pricing)']);
  });

  it('moves a linked conversation to the user its contact was merged into', async () => {
    const { sandbox, composed } = harness;
    const contact = sandbox.createContact({ external_id: 'user_by_email' });
    const conversation = sandbox.createConversation({ contactId: contact.id });
    await harness.link({
      conversationId: conversation.id,
      contact: { contactId: contact.id, externalId: 'user_by_email', email: null },
    });
    await waitFor(() => composed.deps.links.get(conversation.id).then((found) => found ?? undefined));
    await harness.link({
      topic: 'contact.merged',
      conversationId: '',
      contact: { contactId: contact.id, externalId: 'user_canonical', email: null },
      notificationAt: now(),
    });
    await waitFor(async () =>
      (await composed.deps.links.get(conversation.id))?.userId === 'user_canonical' ? true : undefined,
    );
    const productId = harness.config.productId;
    expect(await composed.deps.links.conversationsOf({ productId, userId: 'user_canonical' })).toEqual([
      conversation.id,
    ]);
    expect(await composed.deps.links.conversationsOf({ productId, userId: 'user_by_email' })).toEqual([]);
  });

  it('ends every link of a deleted contact, with its keys', async () => {
    const { sandbox, composed } = harness;
    const contact = sandbox.createContact({ external_id: 'user_deleted' });
    const ids: string[] = [];
    for (let index = 0; index < 2; index += 1) {
      const conversation = sandbox.createConversation({ contactId: contact.id });
      ids.push(conversation.id);
      await harness.link({
        conversationId: conversation.id,
        contact: { contactId: contact.id, externalId: 'user_deleted', email: null },
      });
    }
    await waitFor(async () =>
      (
        await composed.deps.links.conversationsOf({
          productId: harness.config.productId,
          userId: 'user_deleted',
        })
      ).length === 2
        ? true
        : undefined,
    );
    await harness.link({
      topic: 'contact.deleted',
      conversationId: '',
      contact: { contactId: contact.id, externalId: 'user_deleted', email: null },
      notificationAt: now(),
    });
    for (const id of ids) {
      await waitFor(async () =>
        (await composed.deps.links.lifecycle(id))?.state === 'ended' ? true : undefined,
      );
      expect(await composed.deps.links.get(id)).toBeNull();
      expect((await composed.deps.delivery.state(id)).nextNumber).toBe(1);
    }
  });
});
