import { testRedisUrl } from '@threadline/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChaosStack, expectedLines, startChaosStack } from './chaos-stack.js';

let stack: ChaosStack;
beforeAll(async () => {
  stack = await startChaosStack(testRedisUrl());
});
afterAll(async () => {
  await stack?.close();
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('chaos: a worker killed with SIGKILL mid-stream', () => {
  it('loses nothing and doubles nothing once another worker takes over', async () => {
    const users = ['crash_a', 'crash_b', 'crash_c'];
    await stack.capture(users, 1);
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
      await stack.capture(users, step);
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
      expect(stack.noteLines(conversation), stack.output()).toEqual(expectedLines(steps));
    }
  });
});
