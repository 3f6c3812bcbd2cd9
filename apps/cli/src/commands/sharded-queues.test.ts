import { noteShardOf } from '@threadline/jobs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliHarness, createHarness, failJobsWithWorker } from '../../test/cli-harness.js';
import type { FailedJob } from './failed.js';
import type { ReplayReport } from './replay.js';
import type { StatusReport } from './status.js';

let harness: CliHarness;

/** The first `conv-<label>-<n>` that hashes to `shard` of 3. */
function conversationOnShard(shard: number, label: string): string {
  for (let index = 0; ; index += 1) {
    const id = `conv-${label}-${index}`;
    if (noteShardOf(id, 3) === shard) return id;
  }
}

beforeAll(async () => {
  harness = await createHarness('cli-shards', 3);
  await harness.queues.deliveries.request(conversationOnShard(1, 'failing'));
  await failJobsWithWorker(harness.redisUrl, harness.prefix, 'notes-1', 1);
  await harness.queues.deliveries.request(conversationOnShard(2, 'waiting'));
});
afterAll(async () => {
  await harness.close();
});

describe('the CLI with NOTE_QUEUE_SHARDS=3', () => {
  it('shows every shard in status', async () => {
    const result = await harness.run(['status', '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as StatusReport;
    expect(report.queues.map((queue) => [queue.queue, queue.waiting, queue.failed])).toEqual([
      ['link', 0, 0],
      ['notes', 0, 0],
      ['notes-1', 0, 1],
      ['notes-2', 1, 0],
      ['summaries', 0, 0],
      ['push', 0, 0],
    ]);
    const text = await harness.run(['status']);
    expect(text.stdout).toMatch(/^\s+notes-1\s+0\s+0\s+0\s+1\s+0\s+-$/m);
    expect(text.stdout).toMatch(/^\s+notes-2\s+1\s+0\s+0\s+0\s+0\s+\d+s$/m);
  });

  it('lists and replays the failed jobs of one shard with --queue notes-1', async () => {
    const failed = await harness.run(['failed', '--queue', 'notes-1', '--json']);
    const jobs = (JSON.parse(failed.stdout) as { jobs: FailedJob[] }).jobs;
    expect(jobs.map((job) => [job.queue, job.name])).toEqual([['notes-1', 'deliver-notes']]);
    // `notes` is shard 0 alone: the failed job of notes-1 is not in it.
    const shardZero = await harness.run(['replay', '--queue', 'notes', '--all', '--json']);
    expect((JSON.parse(shardZero.stdout) as ReplayReport).replayed).toEqual([]);

    const replayed = await harness.run(['replay', '--queue', 'notes-1', '--all', '--json']);
    expect(replayed.code).toBe(0);
    const report = JSON.parse(replayed.stdout) as ReplayReport;
    expect(report.replayed).toEqual([{ queue: 'notes-1', id: jobs[0]!.id, name: 'deliver-notes' }]);
    expect(await harness.queues.queues['notes-1']?.getJobCounts('waiting', 'failed')).toMatchObject({
      waiting: 1,
      failed: 0,
    });
  });

  it('refuses a shard this deployment does not have', async () => {
    const result = await harness.run(['replay', '--queue', 'notes-3', '--all']);
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'threadline: no queue "notes-3" with NOTE_QUEUE_SHARDS=3 (queues: link, notes, notes-1, notes-2, summaries, push)\n',
    });
  });

  it('shows a 401 pause without pausing a shard, and resume resumes shards an older version paused', async () => {
    await harness.queues.sendGate.pause({ code: 'unauthorized', message: 'token refused' });
    const paused = JSON.parse((await harness.run(['status', '--json'])).stdout) as StatusReport;
    expect(paused.sendingPaused).toMatchObject({ code: 'unauthorized' });
    expect(paused.queues.filter((queue) => queue.isPaused)).toEqual([]);
    // A deployment paused by a version before workspaces: its shards are paused.
    await Promise.all(harness.queues.noteQueues.map((queue) => queue.pause()));
    expect((await harness.run(['status'])).stdout).toMatch(/^\s+notes-2 \(paused\)\s+1\s/m);

    const resumed = await harness.run(['resume']);
    expect(resumed.stdout).toContain('Note sending resumed');
    expect(await Promise.all(harness.queues.noteQueues.map((queue) => queue.isPaused()))).toEqual([
      false,
      false,
      false,
    ]);
  });
});
