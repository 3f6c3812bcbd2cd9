import { RedisCaptureSpool, RedisKeys } from '@threadline/redis-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliHarness, createHarness } from '../../test/cli-harness.js';
import type { StatusReport } from './status.js';

let harness: CliHarness;

beforeAll(async () => {
  harness = await createHarness('cli-status');
});
afterAll(async () => {
  await harness.close();
});

async function statusJson(): Promise<StatusReport> {
  const result = await harness.run(['status', '--json']);
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as StatusReport;
}

describe('threadline status', () => {
  it('reports empty queues and no unlinked conversations on a fresh prefix', async () => {
    const report = await statusJson();
    expect(report.prefix).toBe(harness.prefix);
    expect(report.queues.map((queue) => queue.queue)).toEqual(['link', 'notes', 'summaries', 'push']);
    for (const queue of report.queues) {
      expect(queue).toMatchObject({
        waiting: 0,
        active: 0,
        delayed: 0,
        failed: 0,
        completed: 0,
        oldestWaitingMs: null,
      });
    }
    expect(report.unlinked).toEqual({ count: 0, newest: [] });
    expect(report.captureSpool).toEqual({ waiting: 0, inFlight: 0 });
  });

  it('shows the capture spool: copies waiting and copies a worker holds', async () => {
    const spool = new RedisCaptureSpool(harness.redis, new RedisKeys(harness.prefix));
    const copy = {
      source: 'posthog',
      method: 'POST',
      path: '/e/',
      query: '',
      client: '203.0.113.9',
      receivedAt: Date.now(),
      body: Buffer.from('[]'),
    } as const;
    for (let index = 0; index < 3; index += 1) await spool.add(copy);
    await spool.take('status-test', 1, 100);
    expect((await statusJson()).captureSpool).toEqual({ waiting: 2, inFlight: 1 });
    const text = await harness.run(['status']);
    expect(text.stdout).toContain(
      'Capture spool (passthrough copies to record): 2 waiting, 1 being recorded',
    );
  });

  it('counts waiting and failed jobs, names the oldest waiting one, and lists the newest unlinked conversations', async () => {
    await harness.failLinkJobs(1, 'status-failed');
    await harness.queues.enqueueLink({
      notificationId: 'status-first',
      topic: 'conversation.user.created',
      appId: null,
      conversationId: 'conv-first',
      conversationCreatedAt: null,
      contact: null,
      receivedAt: new Date().toISOString(),
    });
    await harness.queues.enqueueLink({
      notificationId: 'status-second',
      topic: 'conversation.user.replied',
      appId: null,
      conversationId: 'conv-second',
      conversationCreatedAt: null,
      contact: null,
      receivedAt: new Date().toISOString(),
    });
    await harness.queues.deliveries.request('conv-first');
    for (let index = 1; index <= 6; index += 1) {
      await harness.links.recordUnlinked({
        conversationId: `conv-unlinked-${index}`,
        reason: `contact has no external_id (${index})`,
        at: new Date(Date.UTC(2025, 0, index)).toISOString(),
      });
    }

    const report = await statusJson();
    const [link, notes] = report.queues;
    expect(link).toMatchObject({
      queue: 'link',
      waiting: 2,
      failed: 1,
      active: 0,
      oldestWaitingJobId: 'link-status-first',
    });
    expect(link?.oldestWaitingMs).toBeGreaterThanOrEqual(0);
    expect(notes).toMatchObject({ queue: 'notes', waiting: 1, failed: 0 });
    expect(report.unlinked.count).toBe(6);
    expect(report.unlinked.newest.map((entry) => entry.conversationId)).toEqual([
      'conv-unlinked-6',
      'conv-unlinked-5',
      'conv-unlinked-4',
      'conv-unlinked-3',
      'conv-unlinked-2',
    ]);
    expect(report.unlinked.newest[0]).toMatchObject({
      reason: 'contact has no external_id (6)',
      at: '2025-01-06T00:00:00.000Z',
    });

    const text = await harness.run(['status']);
    expect(text.code).toBe(0);
    expect(text.stderr).toBe('');
    expect(text.stdout).toMatch(/^\s+link\s+2\s+0\s+0\s+1\s+0\s+\d+s$/m);
    expect(text.stdout).toMatch(/^\s+notes\s+1\s+0\s+0\s+0\s+0\s+\d+s$/m);
    expect(text.stdout).toContain('Conversations that could not be linked: 6');
    expect(text.stdout).toContain('conv-unlinked-6  contact has no external_id (6)');
    expect(text.stdout).not.toContain('conv-unlinked-1');
  });

  it('fails with one clear line when Redis is not reachable', async () => {
    const result = await harness.run(['status'], { REDIS_URL: 'redis://:hunter2-secret@127.0.0.1:1' });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /^threadline: Redis at redis:\/\/\*\*\*@127\.0\.0\.1:1 is not reachable: .+\n$/,
    );
    expect(result.stderr).not.toContain('hunter2');
  });

  it('refuses an invalid configuration, naming the variable, but does not ask for CAPTURE_API_KEY', async () => {
    const result = await harness.run(['status'], {
      THREADLINE_PREFIX: 'bad{prefix}',
      CAPTURE_API_KEY: undefined,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('threadline: invalid configuration');
    expect(result.stderr).toContain('THREADLINE_PREFIX:');
    expect(result.stderr).not.toContain('CAPTURE_API_KEY');
  });
});
