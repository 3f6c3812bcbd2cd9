import { noteShardOf } from '@threadline/jobs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noteLines, pageview, startTestWorker, type TestWorker, waitFor } from '../test/test-worker.js';

const shards = 3;
const conversationsCount = 24;
const liveSteps = 5;

let harness: TestWorker;
beforeAll(async () => {
  harness = await startTestWorker({ NOTE_QUEUE_SHARDS: String(shards) });
});
afterAll(async () => {
  await harness?.close();
});

describe('NOTE_QUEUE_SHARDS=3', () => {
  it('runs one notes worker per shard', () => {
    expect(harness.workers.workers.map((worker) => worker.name)).toEqual([
      'link',
      'notes',
      'notes-1',
      'notes-2',
      'summaries',
      // Push webhooks: one queue, whatever NOTE_QUEUE_SHARDS is.
      'push',
    ]);
  });

  it('delivers every action of many conversations exactly once, in order, each on its own shard', async () => {
    const { sandbox, composed } = harness;
    const users = Array.from({ length: conversationsCount }, (_, index) => `user_shard_${index}`);
    const conversationOf = new Map<string, string>();
    for (const userId of users) {
      await harness.capture(userId, [pageview('/pricing', new Date(Date.now() - 30_000), 'Pricing')]);
      const contact = sandbox.createContact({ external_id: userId });
      const conversation = sandbox.createConversation({ contactId: contact.id });
      conversationOf.set(userId, conversation.id);
      await harness.link({
        conversationId: conversation.id,
        contact: { contactId: contact.id, externalId: userId, email: null },
      });
    }
    await waitFor(() =>
      users.every((userId) => sandbox.notes(conversationOf.get(userId)!).length >= 1) ? true : undefined,
    );
    // Live actions, each user's in order, interleaved across users.
    for (let step = 0; step < liveSteps; step += 1) {
      await Promise.all(
        users.map((userId) => harness.capture(userId, [pageview(`/step/${step}`, new Date())])),
      );
      await new Promise((resolve) => setTimeout(resolve, 30));
    }

    const expected = [
      '[1] Viewed Pricing (/pricing)',
      ...Array.from({ length: liveSteps }, (_, step) => `[${step + 2}] Viewed /step/${step}`),
    ];
    await waitFor(
      () =>
        users.every((userId) => noteLines(sandbox, conversationOf.get(userId)!).length >= expected.length)
          ? true
          : undefined,
      15_000,
    );
    for (const userId of users)
      expect(noteLines(sandbox, conversationOf.get(userId)!), userId).toEqual(expected);

    // Every shard did work, and only for the conversations that hash to it.
    for (const [shard, queue] of composed.queues.noteQueues.entries()) {
      const completed = await queue.getCompleted();
      expect(completed.length, queue.name).toBeGreaterThan(0);
      for (const job of completed) expect(noteShardOf(job.data.conversationId, shards)).toBe(shard);
      expect(await queue.getJobCounts('failed')).toEqual({ failed: 0 });
    }
  });
});
