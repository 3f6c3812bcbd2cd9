import { type LocalRedis, startLocalRedis } from '@threadline/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChaosStack, expectedLines, startChaosStack } from './chaos-stack.js';

let redis: LocalRedis;
let stack: ChaosStack;
beforeAll(async () => {
  redis = await startLocalRedis({ appendOnly: true });
  stack = await startChaosStack(redis.url);
});
afterAll(async () => {
  await stack?.close();
  await redis?.stop();
});

async function waitUntilReady(url: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not come back:\n${stack.output()}`);
}

describe('chaos: Redis killed and restarted between capture and link', () => {
  it('keeps every captured action (AOF) and the processes reconnect', async () => {
    const users = ['restart_a', 'restart_b'];
    for (let step = 1; step <= 3; step += 1) await stack.capture(users, step);

    await redis.kill();
    // While Redis is down the API refuses quickly instead of hanging.
    const during = await fetch(`${stack.apiUrl}/readyz`);
    expect(during.ok).toBe(false);
    await redis.restart();
    await waitUntilReady(`${stack.apiUrl}/readyz`);

    const conversations: string[] = [];
    for (const user of users) conversations.push(await stack.openConversation(user));
    await stack.waitForLines(conversations, 3);
    for (let step = 4; step <= 6; step += 1) await stack.capture(users, step);
    await stack.waitForLines(conversations, 6);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    for (const conversation of conversations) {
      expect(stack.noteLines(conversation), stack.output()).toEqual(expectedLines(6));
    }
  });
});
