import type { IntercomSandbox } from '@threadline/intercom-sandbox';
import { callLiveActivityTool, uniquePrefix } from '@threadline/test-helpers';
import { PostHog } from 'posthog-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoopStack, startLoopStack } from './processes.js';

const captureKey = 'phc_e2e_event_time';
const clientSecret = 'e2e_event_time_secret';
const token = 'e2e-event-time-token';
const mcpKey = 'mcp_e2e_event_time_key_0123';
let stack: LoopStack;
let sandbox: IntercomSandbox;

beforeAll(async () => {
  stack = await startLoopStack({
    prefix: uniquePrefix('e2e-time'),
    captureKey,
    clientSecret,
    token,
    env: { NOTE_COALESCE_MS: '200', SUMMARIZE_AFTER_NOTES: '1000', MCP_API_KEYS: `${mcpKey}:default` },
  });
  ({ sandbox } = stack);
});
afterAll(async () => {
  await stack?.close();
});

/** A pageview titled `Step <n>` at `at`, as posthog-js sends it in `/batch/`. */
function step(userId: string, n: number, at: Date) {
  return {
    event: '$pageview',
    distinct_id: userId,
    timestamp: at.toISOString(),
    properties: { $session_id: 'e2e-time', $pathname: `/step/${n}`, title: `Step ${n}` },
  };
}

async function capture(batch: unknown[]): Promise<void> {
  const response = await fetch(`${stack.apiUrl}/batch/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    // No sent_at: the timestamps are the event times as given (sent_at would add the request's latency).
    body: JSON.stringify({ api_key: captureKey, batch }),
  });
  expect(response.status, stack.api.output()).toBe(200);
}

function noteLines(conversationId: string): string[] {
  return sandbox
    .notes(conversationId)
    .flatMap((part) =>
      [...part.body.matchAll(/<p>\[(\d+)\] (.*?)<\/p>/g)].map((match) => `[${match[1]}] ${match[2]}`),
    );
}

async function waitForLines(conversationId: string, count: number): Promise<string[]> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const lines = noteLines(conversationId);
    if (lines.length >= count) return lines;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `expected ${count} lines in ${conversationId}, saw ${noteLines(conversationId).join(' | ')}\nworker:\n${stack.worker.output()}`,
  );
}

async function openConversation(userId: string): Promise<string> {
  const opened = await fetch(`${sandbox.url()}/_sandbox/conversations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      external_id: userId,
      body: 'It went wrong',
      webhook: { url: `${stack.apiUrl}/webhooks/intercom`, clientSecret },
    }),
  });
  return ((await opened.json()) as { conversation: { id: string } }).conversation.id;
}

async function toolSteps(userId: string): Promise<string[]> {
  const result = await callLiveActivityTool(stack.apiUrl, mcpKey, userId);
  return result.structuredContent.actions.map((action) => action.description);
}

const viewed = (n: number) => `Viewed Step ${n} (/step/${n})`;

describe('actions in the order they happened, not the order their requests arrived', () => {
  it('three requests sent newest first: the pre-chat note and the MCP tool read Step 1 … Step 6', async () => {
    const userId = 'time_newest_first';
    const start = Date.now() - 60_000;
    const at = (n: number) => new Date(start + n * 1000);
    // Each request holds two steps in order; the requests go out newest first, one after another.
    for (const pair of [
      [5, 6],
      [3, 4],
      [1, 2],
    ]) {
      await capture(pair.map((n) => step(userId, n, at(n))));
    }
    expect(await toolSteps(userId)).toEqual([1, 2, 3, 4, 5, 6].map(viewed));
    const conversationId = await openConversation(userId);
    const lines = await waitForLines(conversationId, 6);
    expect(lines).toEqual([1, 2, 3, 4, 5, 6].map((n) => `[${n}] ${viewed(n)}`));
  });

  it('posthog-node with flushAt: 1 sending concurrently: notes and the tool in event-time order', async () => {
    const userId = 'time_posthog_node';
    const start = Date.now() - 30_000;
    // Two clients (two processes of a backend, say), each flushing every event as its own request.
    const clients = [0, 1].map(
      () => new PostHog(captureKey, { host: stack.apiUrl, flushAt: 1, flushInterval: 0, fetchRetryCount: 0 }),
    );
    // Captured newest first, alternating clients, so their requests race one another.
    for (let n = 8; n >= 1; n -= 1) {
      clients[n % 2]!.capture({
        distinctId: userId,
        event: '$pageview',
        timestamp: new Date(start + n * 1000),
        properties: { $pathname: `/step/${n}`, title: `Step ${n}`, $session_id: 'e2e-time-node' },
      });
    }
    await Promise.all(clients.map((client) => client.shutdown()));
    const all = [1, 2, 3, 4, 5, 6, 7, 8];
    expect(await toolSteps(userId)).toEqual(all.map(viewed));
    const conversationId = await openConversation(userId);
    expect(await waitForLines(conversationId, 8)).toEqual(all.map((n) => `[${n}] ${viewed(n)}`));
  });

  it('a late live action: the next note carries it in turn, marked with when it happened', async () => {
    const userId = 'time_late_live';
    const base = Date.now() - 20_000;
    await capture([step(userId, 1, new Date(base))]);
    const conversationId = await openConversation(userId);
    expect(await waitForLines(conversationId, 1)).toEqual([`[1] ${viewed(1)}`]);
    // Live: step 3 happens and is written; then step 2's request (which happened before it) arrives.
    await capture([step(userId, 3, new Date())]);
    expect(await waitForLines(conversationId, 2)).toEqual([`[1] ${viewed(1)}`, `[2] ${viewed(3)}`]);
    const lateAt = new Date(Date.now() - 5000);
    await capture([step(userId, 2, lateAt), step(userId, 4, new Date())]);
    const lines = await waitForLines(conversationId, 4);
    const clock = lateAt.toISOString().slice(11, 19);
    expect(lines).toEqual([
      `[1] ${viewed(1)}`,
      `[2] ${viewed(3)}`,
      `[3] (earlier, ${clock}) ${viewed(2)}`,
      `[4] ${viewed(4)}`,
    ]);
    // The tool has no numbers to keep: it reads them as they happened.
    expect(await toolSteps(userId)).toEqual([1, 2, 3, 4].map(viewed));
  });
});
