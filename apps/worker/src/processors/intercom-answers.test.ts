import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageview, startTestWorker, type TestWorker, waitFor } from '../../test/test-worker.js';

let harness: TestWorker;
beforeAll(async () => {
  harness = await startTestWorker();
});
afterAll(async () => {
  await harness?.close();
});

/** Links a sandbox conversation (or an id the sandbox never had) and waits for the link. */
async function linked(userId: string, conversationId?: string) {
  const { sandbox, composed } = harness;
  const contact = sandbox.createContact({ external_id: userId });
  const id = conversationId ?? sandbox.createConversation({ contactId: contact.id }).id;
  await harness.capture(userId, [pageview('/before', new Date(Date.now() - 60_000))]);
  await harness.link({
    conversationId: id,
    conversationCreatedAt: Math.floor(Date.now() / 1000),
    contact: { contactId: contact.id, externalId: userId, email: null },
  });
  await waitFor(async () => ((await composed.deps.links.lifecycle(id)) ? true : undefined));
  return id;
}

describe('how a delivery answers Intercom (failurePolicy)', () => {
  it('404: the conversation is gone, so its link is closed and the job completes', async () => {
    const { composed } = harness;
    const conversationId = await linked('user_gone', '404000000000001');
    const lifecycle = await waitFor(async () => {
      const record = await composed.deps.links.lifecycle(conversationId);
      return record?.state === 'ended' ? record : undefined;
    });
    expect(lifecycle.state).toBe('ended');
    expect(await composed.deps.links.get(conversationId)).toBeNull();
    const notes = composed.queues.noteQueueFor(conversationId);
    const completed = await waitFor(async () => {
      const jobs = await notes.getCompleted();
      return jobs.find((job) => job.data.conversationId === conversationId);
    });
    expect(completed.returnvalue).toEqual({ kind: 'closed' });
    expect(await notes.getFailedCount()).toBe(0);
  });

  it('400: the job fails at once with the reason, no retry, and the link stays', async () => {
    const { sandbox, composed } = harness;
    sandbox.injectFault({ status: 400, method: 'POST', pathPattern: '/reply$' });
    const conversationId = await linked('user_refused');
    const notes = composed.queues.noteQueueFor(conversationId);
    const failed = await waitFor(async () => {
      const jobs = await notes.getFailed();
      return jobs.find((job) => job.data.conversationId === conversationId);
    });
    expect(failed.attemptsMade).toBe(1);
    expect(failed.failedReason).toMatch(/^Intercom answered 400: parameter_invalid/);
    expect(sandbox.notes(conversationId)).toEqual([]);
    expect((await composed.deps.links.get(conversationId))?.status).toBe('open');
    expect(await composed.queues.sendGate.paused()).toBeNull();
  });
});
