import {
  buildConversationNotification,
  deliverSignedWebhook,
  type IntercomSandbox,
} from '@threadline/intercom-sandbox';
import { intercomSignature, uniquePrefix } from '@threadline/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoopStack, type ServiceProcess, startLoopStack } from './processes.js';

const captureKey = 'phc_e2e_key';
const clientSecret = 'e2e_client_secret';
const token = 'e2e-sandbox-token';
const prefix = uniquePrefix('e2e');
let sandbox: IntercomSandbox;
let api: ServiceProcess;
let worker: ServiceProcess;
let apiUrl: string;

function noteLines(conversationId: string): string[] {
  return sandbox
    .notes(conversationId)
    .flatMap((part) =>
      [...part.body.matchAll(/<p>\[(\d+)\] (.*?)<\/p>/g)].map((match) => `[${match[1]}] ${match[2]}`),
    );
}

async function waitForNotes(conversationId: string, count: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (sandbox.notes(conversationId).length >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `expected ${count} notes in ${conversationId}; worker said:\n${worker.output()}\napi said:\n${api.output()}`,
  );
}

function capture(body: unknown, key = captureKey) {
  return fetch(`${apiUrl}/batch/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ api_key: key, batch: body, sent_at: new Date().toISOString() }),
  });
}

function event(userId: string, name: string, properties: Record<string, unknown>, secondsAgo = 0) {
  return {
    event: name,
    distinct_id: userId,
    timestamp: new Date(Date.now() - secondsAgo * 1000).toISOString(),
    properties: { $session_id: 'e2e-session', ...properties },
  };
}

let stack: LoopStack;

beforeAll(async () => {
  stack = await startLoopStack({
    prefix,
    captureKey,
    clientSecret,
    token,
    env: { NOTE_COALESCE_MS: '200', SUMMARIZE_AFTER_NOTES: '1000' },
  });
  ({ sandbox, apiUrl, api, worker } = stack);
});

afterAll(async () => {
  await stack?.close();
});

describe('the whole loop with real processes', () => {
  it('capture → signed webhook → pre-chat note → live note', async () => {
    const userId = 'user_e2e_1';
    const response = await capture([
      event(
        userId,
        '$pageview',
        { $current_url: 'https://app.example.com/billing', $pathname: '/billing', title: 'Billing' },
        30,
      ),
      event(
        userId,
        '$autocapture',
        {
          $event_type: 'click',
          $pathname: '/billing',
          $current_url: 'https://app.example.com/billing',
          $elements_chain: 'button.btn:text="Pay now"nth-child="1"nth-of-type="1"',
        },
        20,
      ),
      event(
        userId,
        '$exception',
        {
          $pathname: '/billing',
          $current_url: 'https://app.example.com/billing',
          $exception_list: [{ type: 'PaymentError', value: 'Card validation failed for sam@example.com' }],
        },
        10,
      ),
    ]);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 1 });

    const opened = await fetch(`${sandbox.url()}/_sandbox/conversations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        external_id: userId,
        body: "I can't change my plan",
        webhook: { url: `${apiUrl}/webhooks/intercom`, clientSecret },
      }),
    });
    const { conversation, webhook } = (await opened.json()) as {
      conversation: { id: string };
      webhook: { status: number };
    };
    expect(webhook.status).toBe(200);

    await waitForNotes(conversation.id, 1);
    const lines = noteLines(conversation.id);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('[1] Viewed Billing (/billing)');
    expect(lines[1]).toBe('[2] Clicked &quot;Pay now&quot; button on /billing');
    expect(lines[2]).toContain('Card validation failed');
    expect(lines[2]).not.toContain('sam@example.com');

    expect(
      (
        await capture([
          event(userId, '$pageview', { $pathname: '/settings/payment', title: 'Payment methods' }),
        ])
      ).status,
    ).toBe(200);
    await waitForNotes(conversation.id, 2);
    expect(noteLines(conversation.id).at(-1)).toBe('[4] Viewed Payment methods (/settings/payment)');
  });

  it('refuses a wrong capture key with 401 and malformed JSON with 400', async () => {
    expect((await capture([event('user_x', '$pageview', { $pathname: '/' })], 'phc_wrong')).status).toBe(401);
    const malformed = await fetch(`${apiUrl}/batch/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"api_key":',
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { message: string }).message).toMatch(/JSON/);
  });

  it('answers a wrongly signed webhook with 401 and links nothing', async () => {
    const contact = sandbox.createContact({ external_id: 'user_e2e_forged' });
    const conversation = sandbox.createConversation({ contactId: contact.id });
    const body = JSON.stringify({
      type: 'notification_event',
      id: 'notif-forged',
      topic: 'conversation.user.created',
      app_id: 'abc12345',
      data: {
        item: {
          type: 'conversation',
          id: conversation.id,
          contacts: { contacts: [{ id: contact.id, external_id: 'user_e2e_forged' }] },
        },
      },
    });
    const response = await fetch(`${apiUrl}/webhooks/intercom`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-hub-signature': intercomSignature(body, 'not-the-secret'),
      },
      body,
    });
    expect(response.status).toBe(401);
    await capture([event('user_e2e_forged', '$pageview', { $pathname: '/' })]);
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(sandbox.notes(conversation.id)).toEqual([]);
  });

  it('turns 100 concurrent replays of one delivery into one link and one pre-chat note', async () => {
    const userId = 'user_e2e_replayed';
    await capture([event(userId, '$pageview', { $pathname: '/invoices', title: 'Invoices' }, 20)]);
    const contact = sandbox.createContact({ external_id: userId });
    const conversation = sandbox.createConversation({ contactId: contact.id });
    const notification = buildConversationNotification(
      'conversation.user.created',
      conversation,
      contact,
      'abc12345',
    );
    const answers = await Promise.all(
      Array.from({ length: 100 }, () =>
        deliverSignedWebhook({ url: `${apiUrl}/webhooks/intercom`, clientSecret, notification }),
      ),
    );
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    const statuses = answers.map((answer) => (JSON.parse(answer.body) as { status: string }).status);
    expect(statuses.filter((status) => status === 'accepted')).toHaveLength(1);
    await waitForNotes(conversation.id, 1);
    await capture([event(userId, '$pageview', { $pathname: '/invoices/42', title: 'Invoice 42' })]);
    await waitForNotes(conversation.id, 2);
    expect(noteLines(conversation.id)).toEqual([
      '[1] Viewed Invoices (/invoices)',
      '[2] Viewed Invoice 42 (/invoices/42)',
    ]);
  });

  it('shuts both processes down cleanly on SIGTERM', async () => {
    expect(await api.stop('SIGTERM')).toBe(0);
    expect(await worker.stop('SIGTERM')).toBe(0);
  });
});
