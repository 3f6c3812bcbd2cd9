import { RedisKeys, RedisLinkStore } from '@threadline/redis-store';
import { intercomSignature, lifecycleNotification, testRedisUrl } from '@threadline/test-helpers';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChaosStack, expectedLines, startChaosStack } from './chaos-stack.js';

let stack: ChaosStack;
let redis: Redis;
let keys: RedisKeys;
let links: RedisLinkStore;

beforeAll(async () => {
  // Every lifecycle test writes at most three notes; the long conversation below writes four.
  stack = await startChaosStack(testRedisUrl(), { SUMMARIZE_AFTER_NOTES: '4' });
  redis = new Redis(testRedisUrl());
  keys = new RedisKeys(stack.env.THREADLINE_PREFIX!);
  links = new RedisLinkStore(redis, keys);
});
afterAll(async () => {
  redis?.disconnect();
  await stack?.close();
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What an admin does in the Inbox: the sandbox changes the state and sends the signed webhook. */
async function setState(conversationId: string, state: 'open' | 'closed' | 'snoozed'): Promise<void> {
  const response = await fetch(`${stack.sandbox.url()}/_sandbox/conversations/${conversationId}/state`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ state }),
  });
  const body = (await response.json()) as { webhook?: { status: number } };
  expect(response.status).toBe(201);
  expect(body.webhook?.status).toBe(200);
}

async function waitForLinkState(conversationId: string, state: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await links.lifecycle(conversationId))?.state === state) return;
    await pause(50);
  }
  throw new Error(`the link of ${conversationId} never became ${state}\n${stack.output()}`);
}

/** Sends a signed notification straight to the API, as Intercom would (a replay, or out of order). */
async function deliver(notification: Record<string, unknown>): Promise<string> {
  const body = JSON.stringify(notification);
  const response = await fetch(stack.webhook.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-hub-signature': intercomSignature(body, stack.webhook.clientSecret),
    },
    body,
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { status: string }).status;
}

function notesOf(conversationId: string) {
  return stack.sandbox.notes(conversationId);
}

/** Opened with one pre-chat action ([1]), and that first note written. */
async function openedWithOneNote(userId: string): Promise<string> {
  await stack.capture([userId], 1);
  const conversationId = await stack.openConversation(userId);
  await stack.waitForLines([conversationId], 1);
  return conversationId;
}

/** Captures these steps and waits long enough for any delivery the captures could cause. */
async function captureSteps(userId: string, steps: number[]): Promise<void> {
  for (const step of steps) await stack.capture([userId], step);
  // The debounce is 150 ms and the longest wait 600 ms: a note would have been written by now.
  await pause(1200);
}

describe('a conversation’s life, with real API and worker processes', () => {
  it('close → actions → no note; reopen → one catch-up note, then live notes, numbering unbroken; then delete leaves no key', async () => {
    const userId = 'life_close';
    const conversationId = await openedWithOneNote(userId);
    await setState(conversationId, 'closed');
    await waitForLinkState(conversationId, 'closed');
    await captureSteps(userId, [2, 3]);
    expect(notesOf(conversationId), stack.output()).toHaveLength(1);

    await setState(conversationId, 'open');
    await stack.waitForLines([conversationId], 3);
    const catchUp = notesOf(conversationId)[1]!;
    expect(catchUp.body).toContain('Catch-up: while the conversation was closed');
    expect(notesOf(conversationId)).toHaveLength(2);

    await stack.capture([userId], 4);
    await stack.waitForLines([conversationId], 4);
    expect(stack.noteLines(conversationId)).toEqual(expectedLines(4));
    expect(notesOf(conversationId).filter((note) => note.body.includes('Catch-up'))).toHaveLength(1);
    expect(notesOf(conversationId).at(-1)!.body).not.toContain('Catch-up');

    // Every key of the link expires with it (LINK_IDLE_DAYS, 14 by default).
    const conversationKeys = await redis.keys(`${keys.prefix}:{c:${conversationId}}:*`);
    expect(conversationKeys.length).toBeGreaterThanOrEqual(4);
    for (const key of conversationKeys) {
      const ttl = await redis.pttl(key);
      expect(ttl, key).toBeGreaterThan(0);
      expect(ttl, key).toBeLessThanOrEqual(14 * 86_400_000);
    }
    // Deleted: the link and its keys go; only the tombstone is left, for a week at most.
    const deleted = await fetch(`${stack.sandbox.url()}/_sandbox/conversations/${conversationId}`, {
      method: 'DELETE',
    });
    expect(deleted.status).toBe(200);
    await waitForLinkState(conversationId, 'ended');
    const left = (await redis.keys(`${keys.prefix}:{c:${conversationId}}:*`)).filter(
      (key) => !key.endsWith(':lock') && !key.endsWith(':summary-lock'),
    );
    expect(left).toEqual([keys.lifecycle(conversationId)]);
    expect(await redis.pttl(left[0]!)).toBeLessThanOrEqual(7 * 86_400_000);
    expect(await redis.sismember(keys.userConversations('default', userId), conversationId)).toBe(0);
  });

  it('snooze → actions → no note (and the conversation stays snoozed); unsnooze → one catch-up note, then live', async () => {
    const userId = 'life_snooze';
    const conversationId = await openedWithOneNote(userId);
    await setState(conversationId, 'snoozed');
    await waitForLinkState(conversationId, 'snoozed');
    await captureSteps(userId, [2, 3]);
    expect(notesOf(conversationId)).toHaveLength(1);
    // An API note would have woken it.
    expect(stack.sandbox.conversation(conversationId)?.state).toBe('snoozed');

    await setState(conversationId, 'open');
    await stack.waitForLines([conversationId], 3);
    expect(notesOf(conversationId)[1]!.body).toContain('Catch-up: while the conversation was snoozed');
    await stack.capture([userId], 4);
    await stack.waitForLines([conversationId], 4);
    expect(stack.noteLines(conversationId)).toEqual(expectedLines(4));
    expect(notesOf(conversationId)).toHaveLength(3);
  });

  it('a note already posting when the close arrives finishes; nothing after it until reopened', async () => {
    const userId = 'life_in_flight';
    const conversationId = await openedWithOneNote(userId);
    // The next post takes effect at once but is answered 400 ms later: the close lands in between.
    stack.sandbox.injectFault({
      delayMs: 400,
      applyEffect: true,
      count: 1,
      method: 'POST',
      pathPattern: `/conversations/${conversationId}/reply`,
    });
    await stack.capture([userId], 2);
    const deadline = Date.now() + 5000;
    while (notesOf(conversationId).length < 2 && Date.now() < deadline) await pause(10);
    await setState(conversationId, 'closed');
    await stack.capture([userId], 3);
    await waitForLinkState(conversationId, 'closed');
    await captureSteps(userId, [4]);
    expect(stack.noteLines(conversationId), stack.output()).toEqual(expectedLines(2));

    await setState(conversationId, 'open');
    await stack.waitForLines([conversationId], 4);
    await pause(500);
    expect(stack.noteLines(conversationId)).toEqual(expectedLines(4));
    expect(notesOf(conversationId)).toHaveLength(3);
  });

  it('replayed and out-of-order lifecycle webhooks resolve by the notification’s own time', async () => {
    const userId = 'life_order';
    const conversationId = await openedWithOneNote(userId);
    const now = Math.floor(Date.now() / 1000);
    const opened = lifecycleNotification('conversation.admin.opened', {
      notificationId: `notif-${conversationId}-opened`,
      conversationId,
      notificationCreatedAt: now + 2,
    });
    const olderClose = lifecycleNotification('conversation.admin.closed', {
      notificationId: `notif-${conversationId}-closed-older`,
      conversationId,
      notificationCreatedAt: now,
    });
    // The opened (later) arrives first, then the close it overrides: the link stays open.
    expect(await deliver(opened)).toBe('accepted');
    expect(await deliver(olderClose)).toBe('accepted');
    await pause(500);
    expect((await links.lifecycle(conversationId))?.state).toBe('open');
    await stack.capture([userId], 2);
    await stack.waitForLines([conversationId], 2);

    const laterClose = lifecycleNotification('conversation.admin.closed', {
      notificationId: `notif-${conversationId}-closed-later`,
      conversationId,
      notificationCreatedAt: now + 5,
    });
    expect(await deliver(laterClose)).toBe('accepted');
    await waitForLinkState(conversationId, 'closed');
    // The same delivery again is a duplicate; the older opened under a new id is stale.
    expect(await deliver(laterClose)).toBe('duplicate');
    expect(await deliver({ ...opened, id: `notif-${conversationId}-opened-again` })).toBe('accepted');
    await captureSteps(userId, [3]);
    expect((await links.lifecycle(conversationId))?.state).toBe('closed');
    expect(stack.noteLines(conversationId)).toEqual(expectedLines(2));

    const reopen = lifecycleNotification('conversation.admin.opened', {
      notificationId: `notif-${conversationId}-reopen`,
      conversationId,
      notificationCreatedAt: now + 9,
    });
    expect(await deliver(reopen)).toBe('accepted');
    await stack.waitForLines([conversationId], 3);
    expect(stack.noteLines(conversationId)).toEqual(expectedLines(3));
  });
});

describe('a conversation past Intercom’s 500-part limit', () => {
  it('is summarized with nothing lost: the oldest note, out of Intercom’s answer, is in the summary', async () => {
    const userId = 'life_long';
    const conversationId = await openedWithOneNote(userId);
    for (let index = 0; index < 510; index += 1) stack.sandbox.addUserReply(conversationId, `reply ${index}`);
    for (const step of [2, 3, 4]) {
      await stack.capture([userId], step);
      await stack.waitForLines([conversationId], step);
    }
    const deadline = Date.now() + 15_000;
    const summaryOf = () => notesOf(conversationId).find((note) => note.body.includes('Summary of actions'));
    while (!summaryOf() && Date.now() < deadline) await pause(100);
    const summary = summaryOf();
    expect(summary?.body, stack.output()).toContain('Summary of actions [1]–[2]');
    expect(summary?.body).toContain('/step/1');
    expect(summary?.body).toContain('/step/2');
    // The summary is posted first, then the parts it replaces are redacted one by one.
    const bothRedacted = () =>
      notesOf(conversationId)
        .slice(0, 2)
        .every((note) => note.redacted);
    while (!bothRedacted() && Date.now() < deadline + 10_000) await pause(100);
    const [first, second] = notesOf(conversationId);
    expect(first?.redacted).toBe(true);
    expect(second?.redacted).toBe(true);
  });
});

describe('chaos: a worker killed with SIGKILL between a close and the next delivery', () => {
  it('keeps the link paused, writes nothing, and catches up once after the reopen', async () => {
    const userId = 'life_chaos';
    const conversationId = await openedWithOneNote(userId);
    const [first] = stack.workers;
    await setState(conversationId, 'closed');
    expect(await first!.stop('SIGKILL')).toBe('SIGKILL');
    await stack.startWorker();
    await waitForLinkState(conversationId, 'closed', 15_000);
    await captureSteps(userId, [2, 3]);
    expect(stack.noteLines(conversationId), stack.output()).toEqual(expectedLines(1));

    await setState(conversationId, 'open');
    await stack.waitForLines([conversationId], 3, 20_000);
    await stack.capture([userId], 4);
    await stack.waitForLines([conversationId], 4);
    await pause(500);
    expect(stack.noteLines(conversationId)).toEqual(expectedLines(4));
    expect(notesOf(conversationId).filter((note) => note.body.includes('Catch-up'))).toHaveLength(1);
  });
});
