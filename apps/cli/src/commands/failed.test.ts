import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliHarness, createHarness, failJobsWithWorker } from '../../test/cli-harness.js';
import type { FailedJob } from './failed.js';

let harness: CliHarness;
let linkIds: string[];

beforeAll(async () => {
  harness = await createHarness('cli-failed');
  linkIds = await harness.failLinkJobs(3, 'failed');
  await harness.queues.deliveries.request('conv-failed-note');
  await failJobsWithWorker(harness.redisUrl, harness.prefix, 'notes', 1);
});
afterAll(async () => {
  await harness.close();
});

async function failedJson(argv: string[] = []): Promise<FailedJob[]> {
  const result = await harness.run(['failed', '--json', ...argv]);
  expect(result.code).toBe(0);
  return (JSON.parse(result.stdout) as { jobs: FailedJob[] }).jobs;
}

describe('threadline failed', () => {
  it('lists failed jobs of every queue, newest first, with reason and attempts', async () => {
    const jobs = await failedJson();
    expect(jobs).toHaveLength(4);
    expect(
      jobs
        .filter((job) => job.queue === 'link')
        .map((job) => job.id)
        .sort(),
    ).toEqual([...linkIds].sort());
    const note = jobs.find((job) => job.queue === 'notes');
    expect(note).toMatchObject({ name: 'deliver-notes', attemptsMade: 1 });
    for (const job of jobs) {
      expect(job.failedReason).toBe('Intercom answered 401: the access token was refused');
      expect(job.attemptsMade).toBe(1);
      expect(job.failedAt).not.toBeNull();
    }
    const failedAt = jobs.map((job) => Date.parse(job.failedAt ?? ''));
    expect(failedAt).toEqual([...failedAt].sort((a, b) => b - a));
  });

  it('limits to one queue and to --limit jobs', async () => {
    expect((await failedJson(['--queue', 'notes'])).map((job) => job.queue)).toEqual(['notes']);
    expect(await failedJson(['--queue', 'link', '--limit', '2'])).toHaveLength(2);
    expect(await failedJson(['-n', '1'])).toHaveLength(1);
  });

  it('prints a table a person can read', async () => {
    const result = await harness.run(['failed', '--queue', 'link']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Failed jobs (3, newest first)');
    expect(result.stdout).toMatch(/queue\s+id\s+name\s+attempts\s+age\s+reason/);
    for (const id of linkIds) {
      expect(result.stdout).toMatch(
        new RegExp(`link\\s+${id}\\s+link-conversation\\s+1\\s+\\d+s\\s+Intercom answered 401`),
      );
    }
  });

  it('rejects a bad --limit or an unknown queue with exit 1', async () => {
    const badLimit = await harness.run(['failed', '--limit', '0']);
    expect(badLimit.code).toBe(1);
    expect(badLimit.stderr).toContain('use a whole number from 1 to');
    const badQueue = await harness.run(['failed', '--queue', 'emails']);
    expect(badQueue.code).toBe(1);
    expect(badQueue.stderr).toMatch(
      /use a queue name as `threadline status` lists it: link, notes, notes-<n>/,
    );
    const missingShard = await harness.run(['failed', '--queue', 'notes-1']);
    expect(missingShard).toMatchObject({ code: 1, stdout: '' });
    expect(missingShard.stderr).toBe(
      'threadline: no queue "notes-1" with NOTE_QUEUE_SHARDS=1 (queues: link, notes, summaries, push)\n',
    );
  });
});

describe('threadline failed --product', () => {
  it("lists only that product's jobs: a link job's own product, a delivery's by its link", async () => {
    // The link jobs carry no product (enqueued before workspaces): they are PRODUCT_ID's; the delivery's
    // conversation has no link, so it is no product's.
    expect((await failedJson(['--product', 'default'])).map((job) => job.queue)).toEqual([
      'link',
      'link',
      'link',
    ]);
    expect(await failedJson(['--product', 'intercom-other'])).toEqual([]);
  });
});
