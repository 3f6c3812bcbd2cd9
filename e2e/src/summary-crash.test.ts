import type { IntercomSandbox } from '@threadline/intercom-sandbox';
import { uniquePrefix } from '@threadline/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type LoopStack,
  type ServiceProcess,
  startLoopStack,
  startService,
  waitForOutput,
} from './processes.js';

const captureKey = 'phc_e2e_summary';
const clientSecret = 'e2e_summary_secret';
const token = 'e2e-summary-token';
const prefix = uniquePrefix('e2e-sum');
let sandbox: IntercomSandbox;
const workers: ServiceProcess[] = [];
let apiUrl: string;
let env: Record<string, string>;

async function until<T>(what: string, check: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(
    `${what} within ${timeoutMs} ms; workers said:\n${workers.map((w) => w.output()).join('\n---\n')}`,
  );
}

function isSummary(body: string): boolean {
  return body.includes('Summary of actions');
}

let stack: LoopStack;

beforeAll(async () => {
  stack = await startLoopStack({
    prefix,
    captureKey,
    clientSecret,
    token,
    env: {
      NOTE_COALESCE_MS: '100',
      // Two actions a note: ten live actions make five notes; a summary is due at four and covers the
      // first three.
      NOTE_MAX_ACTIONS: '2',
      SUMMARIZE_AFTER_NOTES: '4',
      // A killed worker's job and summary lock come back soon.
      INTERCOM_TIMEOUT_MS: '3000',
      WORKER_LOCK_MS: '1000',
      WORKER_STALLED_CHECK_MS: '500',
    },
  });
  ({ sandbox, apiUrl, env } = stack);
  workers.push(stack.worker);
});

afterAll(async () => {
  // The stack stops its own worker; a replacement started by the test is stopped here.
  await Promise.all(workers.slice(1).map((worker) => worker.stop()));
  await stack?.close();
});

describe('summaries survive a worker killed between the summary and the redactions', () => {
  it('resumes with no second summary and no part redacted twice', async () => {
    const userId = 'user_e2e_summary';
    // The first redaction takes effect, then its answer is held: the worker is inside the redact call.
    sandbox.injectFault({ method: 'POST', pathPattern: '^/conversations/redact$', delayMs: 2500 });
    const opened = await fetch(`${sandbox.url()}/_sandbox/conversations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        external_id: userId,
        body: 'My export fails',
        webhook: { url: `${apiUrl}/webhooks/intercom`, clientSecret },
      }),
    });
    const { conversation } = (await opened.json()) as { conversation: { id: string } };
    const conversationId = conversation.id;
    await waitForOutput(workers[0]!, /conversation link/);
    // Live actions: after the second the conversation was opened in (Intercom's created_at has whole seconds).
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const events = Array.from({ length: 10 }, (_, index) => ({
      event: index === 5 ? '$exception' : '$pageview',
      distinct_id: userId,
      timestamp: new Date(Date.now() - (10 - index) * 10).toISOString(),
      properties: {
        $session_id: 'e2e-session',
        $pathname: `/step-${index}`,
        $current_url: `https://app.example.com/step-${index}`,
        ...(index === 5 ? { $exception_list: [{ type: 'Error', value: 'Export exceeds 100000 rows' }] } : {}),
      },
    }));
    const captured = await fetch(`${apiUrl}/batch/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ api_key: captureKey, batch: events, sent_at: new Date().toISOString() }),
    });
    expect(captured.status).toBe(200);

    await until('a part redacted after the summary', () =>
      sandbox.notes(conversationId).some((part) => part.redacted) ? true : undefined,
    );
    expect(sandbox.notes(conversationId).filter((part) => isSummary(part.body))).toHaveLength(1);
    expect(await workers[0]!.stop('SIGKILL')).toBe('SIGKILL');
    const redactedAtKill = sandbox.notes(conversationId).filter((part) => part.redacted).length;
    expect(redactedAtKill).toBe(1);

    workers.push(startService('worker', env));
    await waitForOutput(workers[1]!, /worker started/);
    await until('the three covered notes redacted', () =>
      sandbox.notes(conversationId).filter((part) => part.redacted).length === 3 ? true : undefined,
    );
    await waitForOutput(workers[1]!, /raw notes summarized/);

    const notes = sandbox.notes(conversationId);
    const summaries = notes.filter((part) => isSummary(part.body));
    expect(summaries).toHaveLength(1);
    expect(summaries[0]!.redacted).toBe(false);
    expect(summaries[0]!.body).toContain('Summary of actions [1]–[6]');
    expect(summaries[0]!.body).toContain('Export exceeds 100000 rows');
    const raw = notes.filter((part) => !isSummary(part.body));
    expect(raw.map((part) => part.redacted)).toEqual([true, true, true, false, false]);

    const summaryPosts = sandbox
      .requests()
      .filter((request) => request.path.endsWith('/reply') && isSummary(JSON.stringify(request.body)));
    expect(summaryPosts).toHaveLength(1);
    const successfulRedactions = sandbox
      .requests()
      .filter((request) => request.path === '/conversations/redact' && request.status === 200)
      .map((request) => (request.body as { conversation_part_id: string }).conversation_part_id);
    // Each part redacted once; the part redacted when the worker died answered 400 to the resumed run.
    expect(new Set(successfulRedactions).size).toBe(successfulRedactions.length);
    const refusals = sandbox
      .requests()
      .filter((request) => request.path === '/conversations/redact' && request.status === 400);
    expect(refusals).toHaveLength(1);
  });
});
