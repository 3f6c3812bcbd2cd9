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

describe('chaos: Intercom answers 429, 5xx and too slowly during a stream of actions', () => {
  it('writes every action exactly once, in order, in each conversation', async () => {
    const users = ['chaos_a', 'chaos_b', 'chaos_c', 'chaos_d'];
    await stack.capture(users, 1);
    const conversations: string[] = [];
    for (const user of users) conversations.push(await stack.openConversation(user));
    await stack.waitForLines(conversations, 1);

    const reply = '/conversations/[^/]+/reply';
    const lookup = '^/conversations/[^/]+$';
    const { sandbox } = stack;
    sandbox.injectFault({ status: 429, retryAfterSeconds: 1, count: 2, method: 'POST', pathPattern: reply });
    sandbox.injectFault({ status: 500, applyEffect: true, count: 2, method: 'POST', pathPattern: reply });
    sandbox.injectFault({ status: 503, applyEffect: false, count: 2, method: 'POST', pathPattern: reply });
    // Beyond INTERCOM_TIMEOUT_MS (500): the note is written, the client has given up.
    sandbox.injectFault({ delayMs: 1200, applyEffect: true, count: 2, method: 'POST', pathPattern: reply });
    sandbox.injectFault({ status: 503, count: 1, method: 'GET', pathPattern: lookup });

    const steps = 12;
    for (let step = 2; step <= steps; step += 1) {
      await stack.capture(users, step);
      await pause(120);
    }
    await stack.waitForLines(conversations, steps, 45_000);
    // Anything late (a second copy of a note) would arrive within the retries' reach.
    await pause(1500);
    for (const conversation of conversations) {
      expect(stack.noteLines(conversation), stack.output()).toEqual(expectedLines(steps));
    }
    const statuses = sandbox
      .requests()
      .filter((request) => /\/reply$/.test(request.path))
      .map((request) => request.status);
    expect(statuses).toEqual(expect.arrayContaining([429, 500, 503]));
    // The slow answers were abandoned by the client (outcome unknown) and found by the lookup.
    expect(stack.output()).toMatch(/"code":"timeout"/);
    // Several actions per note: coalescing held under the faults.
    const notes = conversations.reduce((sum, id) => sum + sandbox.notes(id).length, 0);
    expect(notes).toBeLessThan(users.length * steps);
  });
});
