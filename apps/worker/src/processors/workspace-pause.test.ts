import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageview, startTestWorker, type TestWorker, waitFor } from '../../test/test-worker.js';

let harness: TestWorker;
beforeAll(async () => {
  // The sandbox accepts only its own token: every call of this worker is answered 401.
  harness = await startTestWorker({ INTERCOM_ACCESS_TOKEN: 'revoked-token' });
});
afterAll(async () => {
  await harness?.close();
});

describe('a refused access token (401)', () => {
  it('pauses the workspace, keeps the delivery job and fails nothing', async () => {
    const { sandbox, composed } = harness;
    await harness.capture('user_revoked', [pageview('/billing', new Date(), 'Billing')]);
    const contact = sandbox.createContact({ external_id: 'user_revoked' });
    const conversation = sandbox.createConversation({ contactId: contact.id });
    await harness.link({
      conversationId: conversation.id,
      contact: { contactId: contact.id, externalId: 'user_revoked', email: null },
    });
    const pause = await waitFor(() => composed.queues.sendGate.paused().then((found) => found ?? undefined));
    expect(pause.code).toBe('unauthorized');
    const notes = composed.queues.queues.notes;
    // Only the workspace is paused, not the queue every workspace shares: the job waits as delayed.
    expect(await notes.isPaused()).toBe(false);
    const counts = await waitFor(async () => {
      const found = await notes.getJobCounts('delayed', 'waiting', 'active', 'failed');
      return found.active === 0 && found.delayed === 1 ? found : undefined;
    });
    expect(counts.failed).toBe(0);
    // One refused GET /me, then nothing more: no retry storm against a refused token.
    const refused = sandbox.requests().filter((request) => request.status === 401);
    expect(refused).toHaveLength(1);
    expect(sandbox.notes(conversation.id)).toEqual([]);
  });
});
