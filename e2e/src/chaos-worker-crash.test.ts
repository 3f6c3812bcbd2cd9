import { testRedisUrl } from '@threadline/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChaosStack, startChaosStack } from './chaos-stack.js';

let stack: ChaosStack;
beforeAll(async () => {
  stack = await startChaosStack(testRedisUrl());
});
afterAll(async () => {
  await stack?.close();
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Steps whose request arrives late: it happened between the two steps before it. */
const lateSteps = new Set([4, 6, 9]);

/**
 * Every step once, numbered 1..N without gaps; a line marked `(earlier, …)` is a late step, and the
 * unmarked lines read in event-time order (a note is in order and a late one never goes unmarked).
 */
function expectExactlyOnceInEventTime(lines: string[], steps: number, stepTimes: Map<number, number>) {
  const parsed = lines.map((line) => {
    const match = /^\[(\d+)\] (\(earlier, \d\d:\d\d:\d\d\) )?Viewed Step (\d+) \(\/step\/\d+\)$/.exec(line);
    expect(match, line).not.toBeNull();
    return { number: Number(match![1]), isEarlier: match![2] !== undefined, step: Number(match![3]) };
  });
  expect(parsed.map((line) => line.number)).toEqual(Array.from({ length: steps }, (_, index) => index + 1));
  expect(parsed.map((line) => line.step).sort((a, b) => a - b)).toEqual(
    Array.from({ length: steps }, (_, index) => index + 1),
  );
  for (const line of parsed)
    if (line.isEarlier) expect(lateSteps.has(line.step), String(line.step)).toBe(true);
  const unmarkedTimes = parsed.filter((line) => !line.isEarlier).map((line) => stepTimes.get(line.step)!);
  expect(unmarkedTimes).toEqual([...unmarkedTimes].sort((a, b) => a - b));
}

describe('chaos: a worker killed with SIGKILL mid-stream', () => {
  it('loses nothing and doubles nothing once another worker takes over, late arrivals mixed in', async () => {
    const users = ['crash_a', 'crash_b', 'crash_c'];
    const stepTimes = new Map<number, number>([[1, Date.now()]]);
    await stack.capture(users, 1, new Date(stepTimes.get(1)!));
    const conversations: string[] = [];
    for (const user of users) conversations.push(await stack.openConversation(user));
    await stack.waitForLines(conversations, 1);

    // Slow answers keep posts in flight, so the kill lands between a post and its commit.
    stack.sandbox.injectFault({
      delayMs: 400,
      applyEffect: true,
      count: 6,
      method: 'POST',
      pathPattern: '/conversations/[^/]+/reply',
    });
    const steps = 10;
    const [first] = stack.workers;
    for (let step = 2; step <= steps; step += 1) {
      // A late step happened just after the step two before it (already written, most likely).
      const at = lateSteps.has(step) ? stepTimes.get(step - 2)! + 1 : Date.now();
      stepTimes.set(step, at);
      await stack.capture(users, step, new Date(at));
      if (step === 5) {
        // Wait for a post to be in flight, then kill the worker that made it.
        const posted = stack.sandbox.requests().filter((request) => request.method === 'POST').length;
        const deadline = Date.now() + 5000;
        while (
          Date.now() < deadline &&
          stack.sandbox.requests().filter((r) => r.method === 'POST').length === posted
        )
          await pause(20);
        await pause(150);
        expect(await first!.stop('SIGKILL')).toBe('SIGKILL');
        await stack.startWorker();
      }
      await pause(150);
    }
    await stack.waitForLines(conversations, steps, 40_000);
    await pause(1500);
    for (const conversation of conversations) {
      expectExactlyOnceInEventTime(stack.noteLines(conversation), steps, stepTimes);
    }
  });
});
