import { deleteKeysWithPrefix, testRedisUrl, uniquePrefix } from '@threadline/test-helpers';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queuePrefix } from './job-catalog.js';
import { sendGateKeys } from './notes-send-gate.js';
import { createQueues, type ThreadlineQueues } from './queues.js';

const prefix = uniquePrefix('jobs');
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

describe('coalescing: trailing-edge debounce with a maximum wait', () => {
  // queues.ts reads BullMQ's private deduplication key (`<queue keys.de>:<deduplication id>`) to learn
  // when the waiting job will read. This pins where BullMQ keeps it and what its TTL means; a BullMQ
  // upgrade that moves or renames it fails here first.
  it("finds BullMQ's deduplication key where queues.ts reads it, living until just before the job is due", async () => {
    await slowQueues.requestDelivery('conv-pin');
    const [job] = await delayedJobs('conv-pin');
    const key = `${slowQueues.queues.notes.keys.de}:deliver-conv-pin`;
    expect(key).toBe(`{${prefix}-notes}:notes:de:deliver-conv-pin`);
    expect(await redis.get(key)).toBe(job!.id);
    const pttl = await redis.pttl(key);
    expect(pttl).toBeGreaterThan(job!.delay - 1000);
    expect(pttl).toBeLessThan(job!.delay);
    await job!.remove();
    expect(await redis.exists(key)).toBe(0);
  });

  it('keeps one waiting job per conversation and pushes it back on each request', async () => {
    await queues.requestDelivery('conv-debounce');
    const [first] = await delayedJobs('conv-debounce');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await queues.requestDelivery('conv-debounce');
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
    await queues.requestDelivery('conv-max');
    const [job] = await delayedJobs('conv-max');
    expect(job!.delay).toBeLessThanOrEqual(500);
  });

  it('leaves the waiting job alone once the window is capped, unless it was removed', async () => {
    const keys = sendGateKeys(queuePrefix(prefix, 'notes'));
    // The window opened 3.5 s ago: every request now lands on its capped end, 4.5 s from now.
    await redis.set(keys.window('deliver-conv-capped'), String(Date.now() - 3500), 'PX', 8000);
    await slowQueues.requestDelivery('conv-capped');
    const [waiting] = await delayedJobs('conv-capped');
    expect(waiting!.delay).toBeGreaterThan(4000);

    for (let request = 0; request < 5; request += 1) await slowQueues.requestDelivery('conv-capped');
    expect((await delayedJobs('conv-capped')).map((job) => job.id)).toEqual([waiting!.id]);

    // A job removed by hand (Bull Board) takes its deduplication key along: the next request adds one.
    await waiting!.remove();
    await slowQueues.requestDelivery('conv-capped');
    const afterRemoval = await delayedJobs('conv-capped');
    expect(afterRemoval).toHaveLength(1);
    expect(afterRemoval[0]!.id).not.toBe(waiting!.id);
  });

  it('leaves the waiting job alone for a request within a tenth of the debounce', async () => {
    await slowQueues.requestDelivery('conv-slack');
    const [first] = await delayedJobs('conv-slack');
    await slowQueues.requestDelivery('conv-slack'); // moments later: under the 500 ms slack
    expect((await delayedJobs('conv-slack')).map((job) => job.id)).toEqual([first!.id]);
    await new Promise((resolve) => setTimeout(resolve, 700));
    await slowQueues.requestDelivery('conv-slack'); // 0.7 s later: the job is pushed back
    const [pushed] = await delayedJobs('conv-slack');
    expect(pushed!.id).not.toBe(first!.id);
    expect(pushed!.timestamp + pushed!.delay).toBeGreaterThanOrEqual(first!.timestamp + first!.delay + 600);
  });

  it('does not rely on a waiting job that is about to start', async () => {
    const keys = sendGateKeys(queuePrefix(prefix, 'notes'));
    // 0.15 s left in the window: each request lands under the 250 ms margin, so it replaces the job.
    await redis.set(keys.window('deliver-conv-late'), String(Date.now() - 7850), 'PX', 8000);
    await slowQueues.requestDelivery('conv-late');
    const [first] = await delayedJobs('conv-late');
    await slowQueues.requestDelivery('conv-late');
    const jobs = await delayedJobs('conv-late');
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.id).not.toBe(first!.id);
  });

  it('widens the window under rate pressure and narrows it when the pressure is gone', async () => {
    const gate = queues.sendGate;
    const factor = await gate.observe({ limit: 1000, remaining: 50, resetAtMs: Date.now() + 5000 });
    expect(factor).toBeGreaterThan(4);
    await queues.requestDelivery('conv-pressure');
    const [widened] = await delayedJobs('conv-pressure');
    expect(widened!.delay).toBeGreaterThan(4000);
    expect(await gate.observe({ limit: 1000, remaining: 990, resetAtMs: Date.now() + 5000 })).toBe(1);
  });
});

describe('send gate', () => {
  it('refuses calls beyond 90 % of the window budget, until the window ends', async () => {
    const gatePrefix = uniquePrefix('gate');
    const own = createQueues(redis, { prefix: gatePrefix, coalesceMs: 100 });
    try {
      await own.sendGate.observe({ limit: 20, remaining: 20, resetAtMs: Date.now() + 10_000 });
      const answers = [];
      for (let call = 0; call < 20; call += 1) answers.push(await own.sendGate.beforeCall());
      expect(answers.filter((answer) => answer.kind === 'go')).toHaveLength(18);
      const refused = answers.at(-1)!;
      expect(refused.kind === 'wait' && refused.ms).toBeGreaterThan(0);
      expect(refused.kind === 'wait' && refused.ms).toBeLessThanOrEqual(10_000);
    } finally {
      await own.close();
      await deleteKeysWithPrefix(testRedisUrl(), gatePrefix);
    }
  });

  it('waits out a 429 for every worker, and stays paused after a 401 until resumed', async () => {
    const gatePrefix = uniquePrefix('gate');
    const own = createQueues(redis, { prefix: gatePrefix, coalesceMs: 100 });
    try {
      await own.sendGate.rateLimited(2000);
      const waiting = await own.sendGate.beforeCall();
      expect(waiting.kind === 'wait' && waiting.ms).toBeGreaterThan(1000);
      expect(await own.sendGate.pause({ code: 'unauthorized', message: 'token refused' })).toBe(true);
      expect(await own.sendGate.pause({ code: 'forbidden', message: 'again' })).toBe(false);
      expect(await own.sendGate.beforeCall()).toEqual({ kind: 'paused' });
      expect(await own.queues.notes.isPaused()).toBe(true);
      expect(await own.sendGate.paused()).toMatchObject({ code: 'unauthorized', message: 'token refused' });
      await own.sendGate.resume();
      expect(await own.queues.notes.isPaused()).toBe(false);
      expect(await own.sendGate.paused()).toBeNull();
    } finally {
      await own.close();
      await deleteKeysWithPrefix(testRedisUrl(), gatePrefix);
    }
  });
});
