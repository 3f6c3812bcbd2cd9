import { type Config, loadConfig } from '@threadline/config';
import { type CapturedEvent, type LinkRequest, recordActivity } from '@threadline/core';
import { createIntercomSandbox, type IntercomSandbox } from '@threadline/intercom-sandbox';
import { createLogger } from '@threadline/observability';
import { deleteKeysWithPrefix, testRedisUrl, uniquePrefix } from '@threadline/test-helpers';
import { compose } from '../src/compose.js';
import { type RunningWorkers, startWorkers } from '../src/start-workers.js';

export interface TestWorker {
  config: Config;
  sandbox: IntercomSandbox;
  composed: Awaited<ReturnType<typeof compose>>;
  workers: RunningWorkers;
  /** What the API does on capture: store actions and ask for deliveries. */
  capture(userId: string, events: Omit<CapturedEvent, 'distinctId'>[]): Promise<void>;
  /** What the API does on a verified webhook: enqueue the link job. */
  link(request: Partial<LinkRequest> & Pick<LinkRequest, 'conversationId' | 'contact'>): Promise<void>;
  close(): Promise<void>;
}

/** The real worker (processors, BullMQ, Redis stores, Intercom adapter) against an in-process sandbox. */
export async function startTestWorker(env: Record<string, string> = {}): Promise<TestWorker> {
  const sandbox = await createIntercomSandbox({ token: 'sandbox-test-token' });
  const sandboxUrl = await sandbox.listen({ port: 0, host: '127.0.0.1' });
  const prefix = uniquePrefix('worker');
  const result = loadConfig({
    CAPTURE_API_KEY: 'phc_test_key',
    INTERCOM_ACCESS_TOKEN: 'sandbox-test-token',
    INTERCOM_CLIENT_SECRET: 'test_client_secret',
    INTERCOM_API_BASE_URL: sandboxUrl,
    REDIS_URL: testRedisUrl(),
    THREADLINE_PREFIX: prefix,
    LOG_LEVEL: 'silent',
    NOTE_COALESCE_MS: '100',
    // Raw notes stay readable unless a test is about summaries (those set their own threshold).
    SUMMARIZE_AFTER_NOTES: '1000',
    ...env,
  });
  if (!result.ok) throw new Error(result.problems.join('\n'));
  const config = result.config;
  const composed = await compose(config, createLogger({ level: 'silent' }));
  const workers = startWorkers(composed.deps);
  let notificationCounter = 0;
  const { deps } = composed;
  return {
    config,
    sandbox,
    composed,
    workers,
    async capture(userId, events) {
      await recordActivity(
        config.productId,
        events.map((event) => ({ ...event, distinctId: userId })),
        {
          activity: deps.activity,
          links: deps.links,
          ...(deps.identities ? { identities: deps.identities } : {}),
          requestDelivery: (conversationId) => deps.deliveries.request(conversationId),
        },
      );
    },
    async link(request) {
      notificationCounter += 1;
      await composed.queues.enqueueLink({
        notificationId: `notif-${prefix}-${notificationCounter}`,
        topic: 'conversation.user.created',
        appId: 'abc12345',
        conversationCreatedAt: Math.floor(Date.now() / 1000),
        receivedAt: new Date().toISOString(),
        ...request,
      });
    },
    async close() {
      await workers.close();
      await composed.close();
      await sandbox.close();
      await deleteKeysWithPrefix(testRedisUrl(), prefix);
    },
  };
}

/** Polls until `check` returns a value that is not undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
}

export function pageview(path: string, at: Date, title?: string): Omit<CapturedEvent, 'distinctId'> {
  return {
    event: '$pageview',
    timestamp: at,
    properties: {
      $current_url: `https://app.example.com${path}`,
      $pathname: path,
      ...(title ? { title } : {}),
      $session_id: 'sess-1',
    },
  };
}

export function click(path: string, text: string, at: Date): Omit<CapturedEvent, 'distinctId'> {
  return {
    event: '$autocapture',
    timestamp: at,
    properties: {
      $event_type: 'click',
      $current_url: `https://app.example.com${path}`,
      $pathname: path,
      $session_id: 'sess-1',
      $elements_chain: `button.btn:text="${text}"nth-child="1"nth-of-type="1"`,
    },
  };
}

/** The `[n] …` lines of every note in a sandbox conversation, in order. */
export function noteLines(sandbox: IntercomSandbox, conversationId: string): string[] {
  return sandbox
    .notes(conversationId)
    .flatMap((part) =>
      [...part.body.matchAll(/<p>\[(\d+)\] (.*?)<\/p>/g)].map((match) => `[${match[1]}] ${match[2]}`),
    );
}
