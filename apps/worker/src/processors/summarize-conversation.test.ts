import type { CapturedEvent } from '@threadline/core';
import type { IntercomSandbox } from '@threadline/intercom-sandbox';
import {
  type OpenAiCompatibleServer,
  startOpenAiCompatibleServer,
  testRedisUrl,
} from '@threadline/test-helpers';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { click, pageview, startTestWorker, type TestWorker, waitFor } from '../../test/test-worker.js';

type Event = Omit<CapturedEvent, 'distinctId'>;

// Two actions a note and a summary once four raw notes are visible: a capture of ten actions makes
// five notes, of which the summary covers the first three ([1]–[6]) and leaves the newest two.
const summaryEnv = { SUMMARIZE_AFTER_NOTES: '4', NOTE_MAX_ACTIONS: '2' };

function exception(path: string, message: string, at: Date): Event {
  return {
    event: '$exception',
    timestamp: at,
    properties: {
      $pathname: path,
      $current_url: `https://app.example.com${path}`,
      $exception_list: [{ type: 'CardError', value: message }],
      $session_id: 'sess-1',
    },
  };
}

/** Ten actions, one second apart, ending now: a checkout that breaks. */
function checkoutJourney(): Event[] {
  const at = (index: number) => new Date(Date.now() - (10 - index) * 1000);
  return [
    pageview('/pricing', at(0), 'Pricing'),
    click('/pricing', 'Choose Pro', at(1)),
    pageview('/checkout', at(2), 'Checkout'),
    exception('/checkout', 'Card validation failed', at(3)),
    click('/checkout', 'Email receipt to jane.doe@example.com', at(4)),
    click('/checkout', 'Pay now', at(5)),
    exception('/checkout', 'Card validation failed', at(6)),
    pageview('/help/payments', at(7), 'Help'),
    click('/help/payments', 'Contact us', at(8)),
    pageview('/billing', at(9), 'Billing'),
  ];
}

function moreActions(count: number, path = '/settings'): Event[] {
  return Array.from({ length: count }, (_, index) =>
    click(path, `Step ${index}`, new Date(Date.now() - (count - index) * 100)),
  );
}

async function openConversation(harness: TestWorker, userId: string): Promise<string> {
  const contact = harness.sandbox.createContact({ external_id: userId });
  const conversation = harness.sandbox.createConversation({ contactId: contact.id });
  await harness.link({
    conversationId: conversation.id,
    conversationCreatedAt: Math.floor(Date.now() / 1000) - 60,
    contact: { contactId: contact.id, externalId: userId, email: null },
  });
  await waitFor(async () => ((await harness.composed.deps.links.get(conversation.id)) ? true : undefined));
  return conversation.id;
}

/** Waits until the conversation's current summary ends at `lastNumber` (and nothing is pending). */
async function summaryThrough(harness: TestWorker, conversationId: string, lastNumber: number) {
  return waitFor(async () => {
    const state = await harness.composed.deps.summaries.store.state(conversationId);
    return state.current?.lastNumber === lastNumber && state.pending === null ? state.current : undefined;
  }, 15_000);
}

function summaryNotes(sandbox: IntercomSandbox, conversationId: string) {
  return sandbox.notes(conversationId).filter((part) => (part.body ?? '').includes('Summary of actions'));
}

function redactRequests(sandbox: IntercomSandbox, conversationId: string) {
  return sandbox
    .requests()
    .filter((request) => request.path === '/conversations/redact')
    .map((request) => request.body as { conversation_id: string; conversation_part_id: string })
    .filter((body) => body.conversation_id === conversationId);
}

describe('summaries without an LLM key (extractive)', () => {
  let harness: TestWorker;
  beforeAll(async () => {
    harness = await startTestWorker(summaryEnv);
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('posts one summary past the threshold, then redacts exactly the raw notes it covers', async () => {
    const { sandbox } = harness;
    const conversationId = await openConversation(harness, 'user_checkout');
    await harness.capture('user_checkout', checkoutJourney());
    const current = await summaryThrough(harness, conversationId, 6);

    const notes = sandbox.notes(conversationId);
    expect(notes).toHaveLength(6);
    const [summary] = summaryNotes(sandbox, conversationId);
    expect(summary?.id).toBe(current.partId);
    expect(summary?.redacted).toBe(false);
    const raw = notes.filter((part) => part.id !== summary?.id);
    expect(raw.map((part) => part.redacted)).toEqual([true, true, true, false, false]);
    expect(raw[3]?.body).toContain('[7] Saw an error on /checkout');
    expect(raw[4]?.body).toContain('[10] Viewed Billing (/billing)');

    expect(summary?.body).toContain('Summary of actions [1]–[6]');
    expect(summary?.body).toContain('extractive summarizer');
    expect(summary?.body).toContain('Card validation failed');
    for (const page of ['/pricing', '/checkout']) expect(summary?.body).toContain(page);
    expect(summary?.body).not.toContain('jane.doe@example.com');

    // Summary first, redaction after; each covered part redacted once.
    const requests = sandbox.requests();
    const summaryPost = requests.findIndex(
      (request) =>
        request.path.endsWith('/reply') && JSON.stringify(request.body).includes('Summary of actions'),
    );
    const firstRedact = requests.findIndex((request) => request.path === '/conversations/redact');
    expect(summaryPost).toBeGreaterThanOrEqual(0);
    expect(firstRedact).toBeGreaterThan(summaryPost);
    expect(redactRequests(sandbox, conversationId).map((body) => body.conversation_part_id)).toEqual(
      raw.slice(0, 3).map((part) => part.id),
    );
  });

  it('rolls the first summary and the next raw notes into a second, then redacts the first', async () => {
    const { sandbox } = harness;
    const conversationId = await openConversation(harness, 'user_rollup');
    await harness.capture('user_rollup', checkoutJourney());
    const first = await summaryThrough(harness, conversationId, 6);
    await harness.capture('user_rollup', moreActions(6));
    const second = await summaryThrough(harness, conversationId, 12);

    const parts = new Map(sandbox.notes(conversationId).map((part) => [part.id, part]));
    expect(parts.get(first.partId)?.redacted).toBe(true);
    expect(parts.get(second.partId)?.redacted).toBe(false);
    const summaries = summaryNotes(sandbox, conversationId);
    expect(summaries.map((part) => part.id)).toEqual([second.partId]);
    const body = summaries[0]?.body ?? '';
    expect(body).toContain('Summary of actions [1]–[12]');
    // What only the first summary's span held survives the roll-up.
    expect(body).toContain('Card validation failed');
    expect(body).toContain('/pricing');
    expect(body).toContain('/settings');
    const visibleRaw = sandbox
      .notes(conversationId)
      .filter((part) => !part.redacted && part.id !== second.partId)
      .map((part) => (part.body ?? '').match(/<p>\[(\d+)\]/)?.[1]);
    expect(visibleRaw).toEqual(['13', '15']);
    const redacted = redactRequests(sandbox, conversationId).map((request) => request.conversation_part_id);
    expect(new Set(redacted).size).toBe(redacted.length);
    expect(redacted).toContain(first.partId);
    expect(redacted).not.toContain(second.partId);
  });

  it('resumes after failed redactions without a second summary, counting "not redactable" as done', async () => {
    const { sandbox } = harness;
    const conversationId = await openConversation(harness, 'user_faults');
    // The first redaction happens but is answered 503 (outcome unknown); the second is refused 503.
    sandbox.injectFault({
      method: 'POST',
      pathPattern: '^/conversations/redact$',
      status: 503,
      applyEffect: true,
    });
    sandbox.injectFault({ method: 'POST', pathPattern: '^/conversations/redact$', status: 503 });
    await harness.capture('user_faults', checkoutJourney());
    const current = await summaryThrough(harness, conversationId, 6);

    expect(summaryNotes(sandbox, conversationId).map((part) => part.id)).toEqual([current.partId]);
    const raw = sandbox.notes(conversationId).filter((part) => part.id !== current.partId);
    expect(raw.map((part) => part.redacted)).toEqual([true, true, true, false, false]);
    const statuses = sandbox
      .requests()
      .filter((request) => request.path === '/conversations/redact')
      .filter((request) => (request.body as { conversation_id: string }).conversation_id === conversationId)
      .map((request) => request.status);
    // 503 (done anyway), 503 (not done), then the retry: 400 for the first part, 200 for the other two.
    expect(statuses).toEqual([503, 503, 400, 200, 200]);
  });
});

describe('summaries when the summary post has an unknown outcome', () => {
  let harness: TestWorker;
  beforeAll(async () => {
    harness = await startTestWorker(summaryEnv);
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('finds the posted summary by its reference on retry instead of posting a second', async () => {
    const { sandbox } = harness;
    const conversationId = await openConversation(harness, 'user_unknown_post');
    await harness.capture('user_unknown_post', checkoutJourney().slice(0, 6));
    await waitFor(() => (sandbox.notes(conversationId).length === 3 ? true : undefined));
    // The next two posts take effect but are answered 503: the fourth raw note's (delivery finds it
    // by its reference), then the summary's.
    sandbox.injectFault({ method: 'POST', pathPattern: '/reply$', status: 503, applyEffect: true, count: 2 });
    await harness.capture('user_unknown_post', moreActions(2, '/billing'));
    const current = await summaryThrough(harness, conversationId, 4);

    expect(summaryNotes(sandbox, conversationId).map((part) => part.id)).toEqual([current.partId]);
    const summaryPosts = sandbox
      .requests()
      .filter(
        (request) =>
          request.path.endsWith('/reply') && JSON.stringify(request.body).includes('Summary of actions'),
      );
    expect(summaryPosts.map((request) => request.status)).toEqual([503]);
    const raw = sandbox.notes(conversationId).filter((part) => part.id !== current.partId);
    expect(raw.map((part) => part.redacted)).toEqual([true, true, false, false]);
  });
});

describe('summaries written by an LLM (a local OpenAI-compatible server)', () => {
  let harness: TestWorker;
  let llm: OpenAiCompatibleServer;
  beforeAll(async () => {
    llm = await startOpenAiCompatibleServer();
    harness = await startTestWorker({
      ...summaryEnv,
      OPENAI_API_KEY: 'sk-local-test',
      OPENAI_BASE_URL: llm.baseUrl,
      OPENAI_MODEL: 'local-model',
      OPENAI_TIMEOUT_MS: '300',
    });
  });
  afterAll(async () => {
    await harness?.close();
    await llm?.close();
  });

  it('sends only redacted action lines, fenced as untrusted data, and escapes the answer', async () => {
    llm.setDefault({ kind: 'reply', content: 'Tried to pay <b>twice</b>; the card was refused at [4].' });
    const conversationId = await openConversation(harness, 'user_llm');
    await harness.capture('user_llm', checkoutJourney());
    const current = await summaryThrough(harness, conversationId, 6);
    expect(current.writer).toBe('llm');

    expect(llm.requests).toHaveLength(1);
    const request = llm.requests[0]!;
    expect(request.body.model).toBe('local-model');
    expect(request.body.max_completion_tokens).toBeGreaterThan(0);
    const [system, user] = request.body.messages ?? [];
    expect(system?.content).toMatch(/untrusted data/);
    expect(user?.content).toContain('[4] Saw an error on /checkout: CardError: "Card validation failed"');
    expect(user?.content).toContain('[5] Clicked "Email receipt to');
    expect(JSON.stringify(request.body)).not.toContain('jane.doe@example.com');
    expect(JSON.stringify(request.body)).not.toContain('$exception_list');

    const [summary] = summaryNotes(harness.sandbox, conversationId);
    expect(summary?.body).toContain('written by LLM local-model');
    expect(summary?.body).toContain('Tried to pay &lt;b&gt;twice&lt;/b&gt;; the card was refused at [4].');
    expect(summary?.body).not.toContain('<b>twice</b>');
    expect(summary?.body).toContain('Card validation failed');
  });

  it('falls back to the extractive summarizer when the LLM answers errors', async () => {
    llm.requests.length = 0;
    llm.setDefault({ kind: 'error', status: 500 });
    const conversationId = await openConversation(harness, 'user_llm_down');
    await harness.capture('user_llm_down', checkoutJourney());
    const current = await summaryThrough(harness, conversationId, 6);
    expect(current.writer).toBe('extractive');
    expect(llm.requests).toHaveLength(2);
    const [summary] = summaryNotes(harness.sandbox, conversationId);
    expect(summary?.body).toContain('extractive summarizer');
    expect(summary?.body).toContain('Card validation failed');
  });

  it('falls back to the extractive summarizer when the LLM hangs past the timeout', async () => {
    llm.requests.length = 0;
    llm.setDefault({ kind: 'hang' });
    const conversationId = await openConversation(harness, 'user_llm_slow');
    await harness.capture('user_llm_slow', checkoutJourney());
    const current = await summaryThrough(harness, conversationId, 6);
    expect(current.writer).toBe('extractive');
    expect(llm.requests).toHaveLength(2);
    expect(summaryNotes(harness.sandbox, conversationId)).toHaveLength(1);
  });

  it('falls back when the LLM answers junk', async () => {
    llm.setDefault({ kind: 'reply', content: '   ' });
    const conversationId = await openConversation(harness, 'user_llm_junk');
    await harness.capture('user_llm_junk', checkoutJourney());
    const current = await summaryThrough(harness, conversationId, 6);
    expect(current.writer).toBe('extractive');
  });
});

describe('summaries of a conversation past Intercom’s 500-part limit', () => {
  let harness: TestWorker;
  beforeAll(async () => {
    harness = await startTestWorker(summaryEnv);
  });
  afterAll(async () => {
    await harness?.close();
  });

  /** The user chats a lot: `count` replies, so the first notes fall out of Intercom's 500 newest parts. */
  function chatter(conversationId: string, count: number): void {
    for (let index = 0; index < count; index += 1)
      harness.sandbox.addUserReply(conversationId, `reply ${index}`);
  }

  it('summarizes from Threadline’s own record of each note: every covered line is in the summary', async () => {
    const { sandbox } = harness;
    const conversationId = await openConversation(harness, 'user_long_chat');
    const journey = checkoutJourney();
    await harness.capture('user_long_chat', journey.slice(0, 2));
    await waitFor(() => (sandbox.notes(conversationId).length === 1 ? true : undefined));
    chatter(conversationId, 510);
    await harness.capture('user_long_chat', journey.slice(2));
    const current = await summaryThrough(harness, conversationId, 6);

    // Intercom's copy no longer holds the first note; the summary still has its lines.
    const answered = await sandbox.app.inject({
      method: 'GET',
      url: `/conversations/${conversationId}`,
      headers: { authorization: 'Bearer sandbox-test-token' },
    });
    const firstNote = sandbox.notes(conversationId)[0]!;
    expect(
      answered.json().conversation_parts.conversation_parts.map((part: { id: string }) => part.id),
    ).not.toContain(firstNote.id);
    expect(current.lines.map((line) => line.number)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(current.lines[0]?.text).toBe('Viewed Pricing (/pricing)');
    const [summary] = summaryNotes(sandbox, conversationId);
    expect(summary?.body).toContain('Summary of actions [1]–[6]');
    expect(summary?.body).toContain('/pricing');
    expect(firstNote.redacted).toBe(true);
  });

  it('skips a window it cannot read completely and redacts nothing of it', async () => {
    const { sandbox } = harness;
    const conversationId = await openConversation(harness, 'user_unreadable');
    const journey = checkoutJourney();
    await harness.capture('user_unreadable', journey.slice(0, 2));
    await waitFor(() => (sandbox.notes(conversationId).length === 1 ? true : undefined));
    // A note recorded before lines were kept, now beyond the 500 parts Intercom answers.
    const redis = new Redis(testRedisUrl());
    const notesKey = `${harness.config.prefix}:{c:${conversationId}}:notes`;
    const [first] = await redis.lrange(notesKey, 0, 0);
    const { lines: _lines, ...legacy } = JSON.parse(first!);
    await redis.lset(notesKey, 0, JSON.stringify(legacy));
    redis.disconnect();
    chatter(conversationId, 510);
    await harness.capture('user_unreadable', journey.slice(2));
    await waitFor(() => (sandbox.notes(conversationId).length === 5 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(summaryNotes(sandbox, conversationId)).toHaveLength(0);
    expect(redactRequests(sandbox, conversationId)).toEqual([]);
    expect(sandbox.notes(conversationId).every((part) => !part.redacted)).toBe(true);
  });
});
