import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noteLines, pageview, startTestWorker, type TestWorker, waitFor } from '../../test/test-worker.js';

let harness: TestWorker;
beforeAll(async () => {
  harness = await startTestWorker({ LINK_BY_EMAIL: 'true' });
});
afterAll(async () => {
  await harness?.close();
});

async function everyKeyAndValue(redisUrl: string, prefix: string): Promise<string> {
  const redis = new Redis(redisUrl);
  const dump: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      const type = await redis.type(key);
      dump.push(key);
      if (type === 'string') dump.push(String(await redis.get(key)));
      if (type === 'hash') dump.push(JSON.stringify(await redis.hgetall(key)));
      if (type === 'stream') dump.push(JSON.stringify(await redis.xrange(key, '-', '+')));
    }
  } while (cursor !== '0');
  redis.disconnect();
  return dump.join('\n');
}

describe('LINK_BY_EMAIL=true', () => {
  it('links a contact without external_id to the user who identified with its email', async () => {
    const { sandbox } = harness;
    await harness.capture('user_by_email', [
      {
        event: '$identify',
        timestamp: new Date(Date.now() - 40_000),
        properties: { $set: { email: 'Sam.Email@Example.com' } },
      },
      pageview('/billing', new Date(Date.now() - 30_000), 'Billing'),
    ]);
    const contact = sandbox.createContact({ external_id: null, email: 'sam.email@example.com' });
    const conversation = sandbox.createConversation({ contactId: contact.id });
    await harness.link({
      conversationId: conversation.id,
      contact: { contactId: contact.id, externalId: null, email: null },
    });
    await waitFor(() => (sandbox.notes(conversation.id).length === 1 ? true : undefined));
    expect(noteLines(sandbox, conversation.id)).toContain('[2] Viewed Billing (/billing)');
    expect((await harness.composed.deps.links.get(conversation.id))?.userId).toBe('user_by_email');
  });

  it('stores no email address, only a keyed fingerprint', async () => {
    const dump = await everyKeyAndValue(harness.config.redisUrl, harness.config.prefix);
    expect(dump).toContain(':{e:');
    expect(dump.toLowerCase()).not.toContain('sam.email@example.com');
  });

  it('still refuses a contact whose email no user identified with', async () => {
    const { sandbox } = harness;
    const contact = sandbox.createContact({ external_id: null, email: 'stranger@example.com' });
    const conversation = sandbox.createConversation({ contactId: contact.id });
    await harness.link({
      conversationId: conversation.id,
      contact: { contactId: contact.id, externalId: null, email: null },
    });
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(await harness.composed.deps.links.get(conversation.id)).toBeNull();
    expect(sandbox.notes(conversation.id)).toEqual([]);
  });
});
