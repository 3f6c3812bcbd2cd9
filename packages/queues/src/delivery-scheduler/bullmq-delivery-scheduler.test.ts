import { queuePrefix } from '@threadline/jobs';
import { deleteKeysWithPrefix, testRedisUrl, uniquePrefix } from '@threadline/test-helpers';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueues, type ThreadlineQueues } from '../create-queues.js';
import { sendGateKeys } from '../send-gate/send-gate-keys.js';

const prefix = uniquePrefix('coalesce');
let redis: Redis;
let queues: ThreadlineQueues;
/** Same queues, a longer debounce: room for slow machines in the timing-bound tests. */
let slowQueues: ThreadlineQueues;
beforeAll(async () => {
  redis = new Redis(testRedisUrl());
  queues = createQueues(redis, { prefix, coalesceMs: 1000, maxWaitMs: 3000 });
  slowQueues = createQueues(redis, { prefix, coalesceMs: 5000, maxWaitMs: 8000 });
});
afterAll(async () => {
  await queues.close();
  await slowQueues.close();
  await deleteKeysWithPrefix(testRedisUrl(), prefix);
  redis.disconnect();
});

async function delayedJobs(conversationId: string) {
  const jobs = await queues.queues.notes.getDelayed();
  return jobs.filter((job) => job.data.conversationId === conversationId);
}

// The waits below stay on the wall clock: what they measure against is the TTL of BullMQ's
// deduplication key, which Redis counts down in its own time.
describe('coalescing: trailing-edge debounce with a maximum wait', () => {
  it('keeps one waiting job per conversation and pushes it back on each request', async () => {
    await queues.deliveries.request('conv-debounce');
    const [first] = await delayedJobs('conv-debounce');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await queues.deliveries.request('conv-debounce');
    const jobs = await delayedJobs('conv-debounce');
    expect(jobs).toHaveLength(1);
    const dueFirst = first!.timestamp + first!.delay;
    const dueNow = jobs[0]!.timestamp + jobs[0]!.delay;
    expect(dueNow).toBeGreaterThanOrEqual(dueFirst + 250);
  });

  it('never waits longer than the maximum after the window opened', async () => {
    const keys = sendGateKeys(queuePrefix(prefix, 'notes'));
    // The window opened 2.5 s ago: only 0.5 s of the 3 s maximum is left.
    await redis.set(keys.window('deliver-conv-max'), String(Date.now() - 2500), 'PX', 3000);
    await queues.deliveries.request('conv-max');
    const [job] = await delayedJobs('conv-max');
    expect(job!.delay).toBeLessThanOrEqual(500);
  });

  it('leaves the waiting job alone once the window is capped, unless it was removed', async () => {
    const keys = sendGateKeys(queuePrefix(prefix, 'notes'));
    // The window opened 3.5 s ago: every request now lands on its capped end, 4.5 s from now.
    await redis.set(keys.window('deliver-conv-capped'), String(Date.now() - 3500), 'PX', 8000);
    await slowQueues.deliveries.request('conv-capped');
    const [waiting] = await delayedJobs('conv-capped');
    expect(waiting!.delay).toBeGreaterThan(4000);

    for (let request = 0; request < 5; request += 1) await slowQueues.deliveries.request('conv-capped');
    expect((await delayedJobs('conv-capped')).map((job) => job.id)).toEqual([waiting!.id]);

    // A job removed by hand (Bull Board) takes its deduplication key along: the next request adds one.
    await waiting!.remove();
    await slowQueues.deliveries.request('conv-capped');
    const afterRemoval = await delayedJobs('conv-capped');
    expect(afterRemoval).toHaveLength(1);
    expect(afterRemoval[0]!.id).not.toBe(waiting!.id);
  });

  it('leaves the waiting job alone for a request within a tenth of the debounce', async () => {
    await slowQueues.deliveries.request('conv-slack');
    const [first] = await delayedJobs('conv-slack');
    await slowQueues.deliveries.request('conv-slack'); // moments later: under the 500 ms slack
    expect((await delayedJobs('conv-slack')).map((job) => job.id)).toEqual([first!.id]);
    await new Promise((resolve) => setTimeout(resolve, 700));
    await slowQueues.deliveries.request('conv-slack'); // 0.7 s later: the job is pushed back
    const [pushed] = await delayedJobs('conv-slack');
    expect(pushed!.id).not.toBe(first!.id);
    expect(pushed!.timestamp + pushed!.delay).toBeGreaterThanOrEqual(first!.timestamp + first!.delay + 600);
  });

  it('does not rely on a waiting job that is about to start', async () => {
    const keys = sendGateKeys(queuePrefix(prefix, 'notes'));
    // 0.15 s left in the window: each request lands under the 250 ms margin, so it replaces the job.
    await redis.set(keys.window('deliver-conv-late'), String(Date.now() - 7850), 'PX', 8000);
    await slowQueues.deliveries.request('conv-late');
    const [first] = await delayedJobs('conv-late');
    await slowQueues.deliveries.request('conv-late');
    const jobs = await delayedJobs('conv-late');
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.id).not.toBe(first!.id);
  });

  it('widens the window under rate pressure and narrows it when the pressure is gone', async () => {
    const gate = queues.sendGate;
    const factor = await gate.observe({ limit: 1000, remaining: 50, resetAtMs: Date.now() + 5000 });
    expect(factor).toBeGreaterThan(4);
    await queues.deliveries.request('conv-pressure');
    const [widened] = await delayedJobs('conv-pressure');
    expect(widened!.delay).toBeGreaterThan(4000);
    expect(await gate.observe({ limit: 1000, remaining: 990, resetAtMs: Date.now() + 5000 })).toBe(1);
  });
});
