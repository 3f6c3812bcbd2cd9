import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliHarness, createHarness, failJobsWithWorker } from '../../test/cli-harness.js';
import type { ReplayReport } from './replay.js';

let harness: CliHarness;
let linkIds: string[];

beforeAll(async () => {
  harness = await createHarness('cli-replay');
  linkIds = await harness.failLinkJobs(3, 'replay');
  await harness.queues.deliveries.request('conv-replay-note');
  await failJobsWithWorker(harness.redisUrl, harness.prefix, 'notes', 1);
});
afterAll(async () => {
  await harness.close();
});

async function counts() {
  const [link, notes] = await Promise.all(
    [harness.queues.queues.link, harness.queues.queues.notes].map((queue) =>
      queue.getJobCounts('waiting', 'failed'),
    ),
  );
  return {
    link: { waiting: link?.waiting, failed: link?.failed },
    notes: { waiting: notes?.waiting, failed: notes?.failed },
  };
}

// The steps build on each other: one failed set, replayed a piece at a time.
describe('threadline replay', () => {
  it('lists what --all would replay with --dry-run and changes nothing', async () => {
    const result = await harness.run(['replay', '--all', '--dry-run', '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as ReplayReport;
    expect(report.isDryRun).toBe(true);
    expect(report.replayed).toHaveLength(4);
    expect(
      report.replayed
        .filter((job) => job.queue === 'link')
        .map((job) => job.id)
        .sort(),
    ).toEqual([...linkIds].sort());
    expect(await counts()).toEqual({ link: { waiting: 0, failed: 3 }, notes: { waiting: 0, failed: 1 } });

    const text = await harness.run(['replay', '--queue', 'link', '--all', '--dry-run']);
    expect(text.stdout).toContain('Would replay 3 failed jobs.');
    expect(text.stdout).toContain(linkIds[0]);
  });

  it('replays one job by id, found in whichever queue holds it, with its attempts reset', async () => {
    const jobId = linkIds[0]!;
    const result = await harness.run(['replay', jobId]);
    expect(result).toEqual({ code: 0, stdout: 'Replayed 1 failed job.\n', stderr: '' });
    expect(await counts()).toEqual({ link: { waiting: 1, failed: 2 }, notes: { waiting: 0, failed: 1 } });
    const job = await harness.queues.queues.link.getJob(jobId);
    expect(await job?.getState()).toBe('waiting');
    expect(job?.attemptsMade).toBe(0);
  });

  it('refuses a job that is not failed, an unknown job, and a call without a target', async () => {
    const waiting = await harness.run(['replay', linkIds[0]!, '--queue', 'link']);
    expect(waiting.code).toBe(1);
    expect(waiting.stderr).toBe(
      `threadline: job "${linkIds[0]}" in queue link is waiting, not failed: only failed jobs are replayed\n`,
    );
    const unknown = await harness.run(['replay', 'no-such-job']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe(
      'threadline: no job "no-such-job" in any queue (link, notes, summaries, push)\n',
    );
    const wrongQueue = await harness.run(['replay', linkIds[1]!, '--queue', 'notes']);
    expect(wrongQueue.code).toBe(1);
    expect(wrongQueue.stderr).toContain(`no job "${linkIds[1]}" in queue notes`);
    const nothing = await harness.run(['replay']);
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toContain('nothing to replay');
    const both = await harness.run(['replay', linkIds[1]!, '--all']);
    expect(both.code).toBe(1);
    expect(both.stderr).toContain('either a job id or --all');
    expect(await counts()).toEqual({ link: { waiting: 1, failed: 2 }, notes: { waiting: 0, failed: 1 } });
  });

  it('replays every failed job of one queue with --queue --all', async () => {
    const result = await harness.run(['replay', '--queue', 'link', '--all']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('Replayed 2 failed jobs.\n');
    expect(await counts()).toEqual({ link: { waiting: 3, failed: 0 }, notes: { waiting: 0, failed: 1 } });
  });

  it('replays every failed job of every queue with --all, and a replayed job can be processed again', async () => {
    const result = await harness.run(['replay', '--all', '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as ReplayReport;
    expect(report).toMatchObject({ isDryRun: false, skipped: [] });
    expect(report.replayed.map((job) => job.queue)).toEqual(['notes']);
    expect(await counts()).toEqual({ link: { waiting: 3, failed: 0 }, notes: { waiting: 1, failed: 0 } });

    // The replayed jobs are real jobs again: a worker takes them (and here fails them once more).
    await failJobsWithWorker(harness.redisUrl, harness.prefix, 'link', 3);
    expect((await counts()).link).toEqual({ waiting: 0, failed: 3 });
    expect((await harness.run(['replay', '--all'])).stdout).toBe('Replayed 3 failed jobs.\n');
  });
});
