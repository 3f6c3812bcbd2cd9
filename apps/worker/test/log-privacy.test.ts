import { Writable } from 'node:stream';
import { loadConfig } from '@threadline/config';
import { createIntercomSandbox, type IntercomSandbox } from '@threadline/intercom-sandbox';
import { linkConversationJob } from '@threadline/jobs';
import { createLogger } from '@threadline/observability';
import { RedisKeys } from '@threadline/redis-store';
import { deleteKeysWithPrefix, testRedisUrl, uniquePrefix } from '@threadline/test-helpers';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compose } from '../src/compose.js';
import { type RunningWorkers, startWorkers } from '../src/start-workers.js';

// Known values put in job data; none may appear in any log line the worker writes.
const canaryUser = 'canary-user-9b44c2';
const canaryEmail = 'canary.person.9b44c2@example.com';
const lines: string[] = [];
let sandbox: IntercomSandbox;
let composed: Awaited<ReturnType<typeof compose>>;
let workers: RunningWorkers;
let prefix: string;
let redis: Redis;

beforeAll(async () => {
  sandbox = await createIntercomSandbox({ token: 'sandbox-test-token' });
  const sandboxUrl = await sandbox.listen({ port: 0, host: '127.0.0.1' });
  prefix = uniquePrefix('worker-logs');
  const result = loadConfig({
    CAPTURE_API_KEY: 'phc_test_key',
    INTERCOM_ACCESS_TOKEN: 'sandbox-test-token',
    INTERCOM_CLIENT_SECRET: 'test_client_secret',
    INTERCOM_API_BASE_URL: sandboxUrl,
    REDIS_URL: testRedisUrl(),
    THREADLINE_PREFIX: prefix,
    NOTE_COALESCE_MS: '50',
  });
  if (!result.ok) throw new Error(result.problems.join('\n'));
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  composed = await compose(
    result.config,
    createLogger({ level: 'trace', bindings: { service: 'worker' } }, stream),
  );
  workers = startWorkers(composed.deps);
  redis = new Redis(testRedisUrl());
});
afterAll(async () => {
  redis.disconnect();
  await workers.close();
  await composed.close();
  await sandbox.close();
  await deleteKeysWithPrefix(testRedisUrl(), prefix);
});

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out; log so far:\n${lines.join('')}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('what the worker logs when jobs fail', () => {
  it('carries neither the job data nor the Redis command arguments', async () => {
    const contact = sandbox.createContact({ external_id: canaryUser, email: canaryEmail });
    const conversation = sandbox.createConversation({ contactId: contact.id, body: 'help' });
    // A Redis error inside the job: the user's conversation set is a string, so linking fails with
    // WRONGTYPE, and ioredis's error carries the command's arguments (keys with the user id).
    await redis.set(new RedisKeys(prefix).userConversations('default', canaryUser), canaryEmail);
    await composed.queues.enqueueLink({
      notificationId: 'n-worker-logs-1',
      topic: 'conversation.user.created',
      appId: 'abc12345',
      conversationId: conversation.id,
      conversationCreatedAt: Math.floor(Date.now() / 1000),
      contact: { contactId: contact.id, externalId: canaryUser, email: canaryEmail },
      receivedAt: new Date().toISOString(),
    });
    // A job whose data does not pass the payload schema.
    await composed.queues.queues.link.add(linkConversationJob.name, {
      notificationId: 'n-worker-logs-2',
      contact: { email: canaryEmail, externalId: canaryUser },
    });
    await until(() => lines.filter((line) => line.includes('"msg":"job failed"')).length >= 2);

    const text = lines.join('');
    expect(text).toContain('invalid link-conversation payload');
    expect(text).toMatch(/WRONGTYPE/);
    for (const value of [canaryUser, canaryEmail, encodeURIComponent(canaryEmail)]) {
      expect(
        lines.filter((line) => line.includes(value)),
        `${value} in the logs`,
      ).toEqual([]);
    }
  });
});
