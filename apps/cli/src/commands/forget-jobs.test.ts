import type { LinkRequest } from '@threadline/core';
import { queuePrefix } from '@threadline/jobs';
import { RedisIdentityStore } from '@threadline/redis-store';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliHarness, createHarness } from '../../test/cli-harness.js';

let harness: CliHarness;
const clientSecret = 'forget_test_client_secret';
beforeAll(async () => {
  harness = await createHarness('forget-jobs');
});
afterAll(async () => {
  await harness.close();
});

/** Every key of the test's prefix (data and queues) with every value in it, as lowercase text. */
async function everything(): Promise<string> {
  const { redis, prefix } = harness;
  const lines: string[] = [];
  for (const pattern of [`${prefix}:*`, `{${prefix}-*`]) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) {
        const type = await redis.type(key);
        const value =
          type === 'string'
            ? await redis.get(key)
            : type === 'hash'
              ? await redis.hgetall(key)
              : type === 'set'
                ? await redis.smembers(key)
                : type === 'zset'
                  ? await redis.zrange(key, 0, -1)
                  : type === 'list'
                    ? await redis.lrange(key, 0, -1)
                    : type === 'stream'
                      ? await redis.xrange(key, '-', '+')
                      : type;
        lines.push(`${key} ${JSON.stringify(value)}`);
      }
    } while (cursor !== '0');
  }
  return lines.join('\n').toLowerCase();
}

function request(
  notificationId: string,
  conversationId: string,
  contact: LinkRequest['contact'],
): LinkRequest {
  return {
    notificationId,
    topic: 'conversation.user.created',
    appId: 'app-1',
    conversationId,
    conversationCreatedAt: null,
    contact,
    receivedAt: new Date().toISOString(),
  };
}

/** Processes every link job waiting: `fail-` notifications fail for good, the others complete as linked. */
async function processLinkJobs(count: number): Promise<void> {
  const connection = new Redis(harness.redisUrl, { maxRetriesPerRequest: null });
  let done = 0;
  const worker = new Worker(
    'link',
    async (job: Job<LinkRequest>) => {
      if (job.data.notificationId.startsWith('fail-')) throw new UnrecoverableError('contact not found');
      return {
        kind: 'linked',
        conversationId: job.data.conversationId,
        userId: job.data.contact?.externalId,
      };
    },
    { connection, prefix: queuePrefix(harness.prefix, 'link'), autorun: false },
  );
  const finished = new Promise<void>((resolve) => {
    const one = () => {
      done += 1;
      if (done === count) resolve();
    };
    worker.on('failed', one);
    worker.on('completed', one);
  });
  void worker.run();
  await finished;
  await worker.close();
  connection.disconnect();
}

const at = () => new Date().toISOString();

describe('threadline forget: queue jobs, merged ids, by email', () => {
  it('forget user leaves no key, job, event or stream value naming the user, their email or conversations', async () => {
    const { activity, links, queues } = harness;
    const shop = (userId: string) => ({ productId: 'shop', userId });
    const userId = 'gdpr-jobs-7';
    const email = 'Gdpr.Person@Example.com';
    // An anonymous visit merged into the user, and the user merged into a later id (both directions).
    await activity.append(shop('anon-gdpr-a'), [
      { at: at(), type: 'click', description: 'Clicked anon-gdpr-a' },
    ]);
    // While the id was still anonymous it was merged into another; an id merged into becomes a
    // known user and is never merged away itself, so this comes first.
    await activity.append(shop(userId), [{ at: at(), type: 'pageview', description: 'Viewed moved-away' }]);
    expect(await activity.merge(shop(userId), shop('gdpr-new-id'))).toMatchObject({ kind: 'merged' });
    expect(await activity.merge(shop('anon-gdpr-a'), shop(userId))).toMatchObject({ kind: 'merged' });
    await activity.append(shop(userId), [{ at: at(), type: 'click', description: 'Clicked gdpr-later' }]);
    await links.create(
      {
        conversationId: 'conv-gdpr-linked',
        productId: 'shop',
        userId,
        appId: null,
        sessionId: null,
        conversationCreatedAt: null,
        linkedAt: at(),
        status: 'open',
      },
      null,
    );
    await links.recordUnlinked({ conversationId: 'conv-gdpr-lead', reason: 'no external_id', at: at() });
    // Link jobs: one completed (its result names the user), one failed with the contact's email,
    // one failed for a lead known only by the same email; and another person's, which must stay.
    await queues.enqueueLink(
      request('done-1', 'conv-gdpr-linked', { contactId: 'c1', externalId: userId, email: null }),
    );
    await queues.enqueueLink(
      request('fail-1', 'conv-gdpr-linked', { contactId: 'c1', externalId: userId, email }),
    );
    await queues.enqueueLink(
      request('fail-2', 'conv-gdpr-lead', { contactId: 'c2', externalId: null, email: email.toLowerCase() }),
    );
    await queues.enqueueLink(
      request('fail-3', 'conv-keep', { contactId: 'c3', externalId: 'keep-user', email: 'keep@example.com' }),
    );
    await processLinkJobs(4);
    // A delivery still waiting for the user's conversation.
    await harness.queues
      .noteQueueFor('conv-gdpr-linked')
      .add('deliver-notes', { conversationId: 'conv-gdpr-linked' }, { delay: 60_000 });

    const before = await everything();
    for (const needle of [userId, email.toLowerCase(), 'conv-gdpr-linked', 'conv-gdpr-lead', 'moved-away']) {
      expect(before, needle).toContain(needle);
    }

    const result = await harness.run(['forget', 'user', 'shop', userId, '--json'], {
      INTERCOM_CLIENT_SECRET: clientSecret,
    });
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.emails).toEqual([email.toLowerCase()]);
    expect(report.jobs.removed).toHaveLength(4);
    expect(report.jobs.removed).toEqual(
      expect.arrayContaining([
        'link/link-done-1',
        'link/link-fail-1',
        'link/link-fail-2',
        expect.stringMatching(/^notes\//),
      ]),
    );
    expect(report.unlinkedConversations).toEqual(['conv-gdpr-lead']);
    expect(report.users[0].mergedInto).toEqual(['gdpr-new-id']);
    expect(report.users[0].anonymousIds).toBe(1);

    const after = await everything();
    for (const needle of [
      userId,
      email.toLowerCase(),
      'conv-gdpr-linked',
      'conv-gdpr-lead',
      'anon-gdpr-a',
      'moved-away',
      'gdpr-later',
    ]) {
      expect(after, needle).not.toContain(needle);
    }
    expect(after).toContain('keep-user');
    expect(after).toContain('keep@example.com');
    expect(await harness.queues.queues.link.getJob('link-fail-3')).toBeDefined();
  });

  it('forget email finds the user through the email fingerprint and the jobs, and erases both', async () => {
    const { activity, queues } = harness;
    const userId = 'gdpr-by-email-3';
    const email = 'only.email@example.org';
    await activity.append({ productId: 'shop', userId }, [
      { at: at(), type: 'click', description: 'Clicked x' },
    ]);
    const identities = new RedisIdentityStore(harness.redis, harness.keys, {
      ttlSeconds: 3600,
      fingerprintKey: clientSecret,
    });
    await identities.rememberEmail('shop', email, userId);
    await queues.enqueueLink(
      request('fail-9', 'conv-by-email', { contactId: 'c9', externalId: null, email }),
    );
    await processLinkJobs(1);
    expect(await everything()).toContain(userId);

    const refused = await harness.run(['forget', 'email', 'shop', 'not-an-email']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/not an email address/);

    const result = await harness.run(['forget', 'email', 'shop', email.toUpperCase()], {
      INTERCOM_CLIENT_SECRET: clientSecret,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`Erased user ${userId}, email ${email} of product shop`);
    expect(result.stdout).toContain('1 email fingerprints');
    expect(result.stdout).toMatch(/1 queue jobs and \d+ queue events naming them/);
    const after = await everything();
    expect(after).not.toContain(userId);
    expect(after).not.toContain(email);
    expect(after).not.toContain('conv-by-email');

    const again = await harness.run(['forget', 'email', 'shop', email], {
      INTERCOM_CLIENT_SECRET: clientSecret,
    });
    expect(again.stdout).toContain(`Nothing stored for email ${email} of product shop.`);
  });
});
