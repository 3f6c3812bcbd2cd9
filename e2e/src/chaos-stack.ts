import type { IntercomSandbox } from '@threadline/intercom-sandbox';
import { uniquePrefix } from '@threadline/test-helpers';
import { type ServiceProcess, startLoopStack, startService, waitForOutput } from './processes.js';

const captureKey = 'phc_chaos_key';
const clientSecret = 'chaos_client_secret';
const token = 'chaos-sandbox-token';

/**
 * Settings that keep chaos tests short: a short debounce, a client timeout a slow answer can beat,
 * and a dead worker's jobs taken over within a few seconds.
 */
export const chaosEnv = {
  NOTE_COALESCE_MS: '150',
  NOTE_MAX_WAIT_MS: '600',
  INTERCOM_TIMEOUT_MS: '500',
  WORKER_LOCK_MS: '2000',
  WORKER_STALLED_CHECK_MS: '1000',
  WORKER_CONCURRENCY: '4',
  // Summaries redact raw notes; these tests read every raw note.
  SUMMARIZE_AFTER_NOTES: '1000',
};

/** Real API and worker processes against an in-process Intercom sandbox. */
export interface ChaosStack {
  sandbox: IntercomSandbox;
  apiUrl: string;
  api: ServiceProcess;
  workers: ServiceProcess[];
  /** The environment the services run with (THREADLINE_PREFIX, …). */
  env: Record<string, string>;
  /** The webhook target the sandbox sends this stack's conversation webhooks to. */
  webhook: { url: string; clientSecret: string };
  /** Starts one more worker process. */
  startWorker(): Promise<ServiceProcess>;
  /**
   * Sends one pageview per user through the API's `/batch/`; the title names the step. `at` is its
   * event time (default now): an earlier one makes the request a late arrival.
   */
  capture(userIds: string[], step: number, at?: Date): Promise<void>;
  /** Opens a conversation for the user in the sandbox, which sends the signed webhook to the API. */
  openConversation(userId: string): Promise<string>;
  /** The `[n] text` lines of every note of a conversation, in note order. */
  noteLines(conversationId: string): string[];
  /** Waits until every conversation shows `count` numbered lines (or more). */
  waitForLines(conversationIds: string[], count: number, timeoutMs?: number): Promise<void>;
  output(): string;
  close(): Promise<void>;
}

export async function startChaosStack(
  redisUrl: string,
  env: Record<string, string> = {},
): Promise<ChaosStack> {
  const stack = await startLoopStack({
    prefix: uniquePrefix('chaos'),
    captureKey,
    clientSecret,
    token,
    redisUrl,
    env: { ...chaosEnv, ...env },
    apiEnv: { LOG_LEVEL: 'warn' },
  });
  const { sandbox, apiUrl, api } = stack;
  const workers: ServiceProcess[] = [stack.worker];
  const startWorker = async () => {
    const worker = startService('worker', stack.env);
    workers.push(worker);
    await waitForOutput(worker, /worker started/);
    return worker;
  };
  const output = () =>
    [`api:\n${api.output()}`, ...workers.map((worker, index) => `worker ${index}:\n${worker.output()}`)].join(
      '\n',
    );
  const noteLines = (conversationId: string) =>
    sandbox
      .notes(conversationId)
      .flatMap((part) =>
        [...part.body.matchAll(/<p>\[(\d+)\] (.*?)<\/p>/g)].map((match) => `[${match[1]}] ${match[2]}`),
      );
  return {
    sandbox,
    apiUrl,
    api,
    workers,
    env: stack.env,
    webhook: { url: `${apiUrl}/webhooks/intercom`, clientSecret },
    startWorker,
    async capture(userIds, step, eventTime = new Date()) {
      const at = eventTime.toISOString();
      const batch = userIds.map((userId) => ({
        event: '$pageview',
        distinct_id: userId,
        timestamp: at,
        properties: { $session_id: 'chaos', $pathname: `/step/${step}`, title: `Step ${step}` },
      }));
      const response = await fetch(`${apiUrl}/batch/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        // No sent_at: the timestamp is the event time as given, free of the request's latency.
        body: JSON.stringify({ api_key: captureKey, batch }),
      });
      if (response.status !== 200) throw new Error(`capture answered ${response.status}:\n${output()}`);
    },
    async openConversation(userId) {
      const opened = await fetch(`${sandbox.url()}/_sandbox/conversations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          external_id: userId,
          body: 'help',
          webhook: { url: `${apiUrl}/webhooks/intercom`, clientSecret },
        }),
      });
      const { conversation, webhook } = (await opened.json()) as {
        conversation: { id: string };
        webhook: { status: number };
      };
      if (webhook.status !== 200) throw new Error(`webhook answered ${webhook.status}:\n${output()}`);
      return conversation.id;
    },
    noteLines,
    async waitForLines(conversationIds, count, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (conversationIds.every((id) => noteLines(id).length >= count)) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const seen = conversationIds.map((id) => `${id}: ${noteLines(id).length}`).join(', ');
      throw new Error(`expected ${count} lines in each conversation, saw ${seen}\n${output()}`);
    },
    output,
    async close() {
      // The first worker is the loop stack's own; it stops it with the API and the sandbox.
      await Promise.all(workers.slice(1).map((worker) => worker.stop()));
      await stack.close().catch(() => undefined);
    },
  };
}

/** What each conversation must show: every step once, numbered 1..N without gaps, in capture order. */
export function expectedLines(steps: number): string[] {
  return Array.from(
    { length: steps },
    (_, index) => `[${index + 1}] Viewed Step ${index + 1} (/step/${index + 1})`,
  );
}
