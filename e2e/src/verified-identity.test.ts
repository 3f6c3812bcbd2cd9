import { createHmac } from 'node:crypto';
import { uniquePrefix } from '@threadline/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoopStack, startLoopStack } from './processes.js';

const captureKey = 'phc_e2e_identity_key';
const clientSecret = 'e2e_identity_client_secret';
const token = 'e2e-identity-sandbox-token';
const identitySecret = 'e2e-messenger-identity-secret';

const userHash = (userId: string) => createHmac('sha256', identitySecret).update(userId).digest('hex');

function event(userId: string, name: string, properties: Record<string, unknown> = {}) {
  return {
    event: name,
    distinct_id: userId,
    timestamp: new Date().toISOString(),
    properties: { $pathname: '/billing', ...properties },
  };
}

async function capture(stack: LoopStack, batch: unknown[]): Promise<void> {
  const response = await fetch(`${stack.apiUrl}/batch/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ api_key: captureKey, batch }),
  });
  expect(response.status).toBe(200);
}

async function openConversation(stack: LoopStack, externalId: string): Promise<string> {
  const opened = await fetch(`${stack.sandbox.url()}/_sandbox/conversations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      external_id: externalId,
      body: 'Where is my refund?',
      webhook: { url: `${stack.apiUrl}/webhooks/intercom`, clientSecret },
    }),
  });
  const { conversation, webhook } = (await opened.json()) as {
    conversation: { id: string };
    webhook: { status: number };
  };
  expect(webhook.status).toBe(200);
  return conversation.id;
}

function noteLines(stack: LoopStack, conversationId: string): string[] {
  return stack.sandbox
    .notes(conversationId)
    .flatMap((part) => [...part.body.matchAll(/<p>(\[\d+\] .*?)<\/p>/g)].map((match) => match[1] ?? ''));
}

async function waitForLine(stack: LoopStack, conversationId: string, pattern: RegExp): Promise<string[]> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const lines = noteLines(stack, conversationId);
    if (lines.some((line) => pattern.test(line))) return lines;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no note line matches ${pattern}; worker said:\n${stack.worker.output()}`);
}

function startStack(mode: 'require' | 'mark'): Promise<LoopStack> {
  return startLoopStack({
    prefix: uniquePrefix(`e2e-identity-${mode}`),
    captureKey,
    clientSecret,
    token,
    env: {
      NOTE_COALESCE_MS: '200',
      SUMMARIZE_AFTER_NOTES: '1000',
      INTERCOM_IDENTITY_SECRET: identitySecret,
      CAPTURE_IDENTITY: mode,
    },
  });
}

describe('CAPTURE_IDENTITY=require with real processes', () => {
  let stack: LoopStack;
  beforeAll(async () => {
    stack = await startStack('require');
  });
  afterAll(async () => {
    await stack?.close();
  });

  it("writes a user's verified actions into their conversation, and nothing a forger sends", async () => {
    const user = 'user_identity_require';
    await capture(stack, [event(user, 'invoice_paid', { $user_hash: userHash(user) })]);
    const conversation = await openConversation(stack, user);
    await waitForLine(stack, conversation, /Invoice paid/);

    await capture(stack, [
      event(user, 'refund_approved_by_agent', {}),
      event(user, 'vip_customer', { $is_identified: false }),
      event(user, 'forged_hash', { $user_hash: 'ab'.repeat(32) }),
      event('attacker_1', '$identify', { $anon_distinct_id: user, $user_hash: userHash('attacker_1') }),
    ]);
    await capture(stack, [event(user, 'report_exported', { $user_hash: userHash(user) })]);
    const lines = await waitForLine(stack, conversation, /Report exported/);
    expect(lines).toEqual(['[1] Invoice paid', '[2] Report exported']);
    expect(
      stack.sandbox
        .notes(conversation)
        .map((note) => note.body)
        .join(''),
    ).not.toMatch(/refund|vip|forged|\$user_hash/i);
  });
});

describe('CAPTURE_IDENTITY=mark with real processes', () => {
  let stack: LoopStack;
  beforeAll(async () => {
    stack = await startStack('mark');
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('marks the lines no proof came with', async () => {
    const user = 'user_identity_mark';
    await capture(stack, [
      event(user, 'invoice_paid', { $user_hash: userHash(user) }),
      event(user, 'refund_requested'),
    ]);
    const conversation = await openConversation(stack, user);
    const lines = await waitForLine(stack, conversation, /Refund requested/);
    expect(lines).toEqual(['[1] Invoice paid', '[2] (unverified) Refund requested']);
  });
});
