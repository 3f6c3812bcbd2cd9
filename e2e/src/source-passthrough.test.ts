import { randomUUID } from 'node:crypto';
import { createInstance } from '@amplitude/analytics-node';
import { Analytics, FetchHTTPClient, type HTTPClientRequest } from '@segment/analytics-node';
import {
  callLiveActivityTool,
  type FakeAnswer,
  type FakePostHog,
  startFakePostHog,
  uniquePrefix,
} from '@threadline/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoopStack, startLoopStack } from './processes.js';

const captureKey = 'phc_e2e_source_passthrough';
const clientSecret = 'e2e_source_passthrough_secret';
const mcpKey = 'mcp_e2e_source_passthrough_01';
let upstream: FakePostHog;
let stack: LoopStack;

/** Segment's and Amplitude's answers; `failNext` answers that many requests 500 first. */
let failNext = 0;
const sourceLikeAnswer: FakeAnswer = (request, response) => {
  if (failNext > 0) {
    failNext -= 1;
    response.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"upstream hiccup"}');
  } else if (request.url.startsWith('/v1/'))
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"success":true}');
  else
    response
      .writeHead(200, { 'content-type': 'application/json' })
      .end('{"code":200,"events_ingested":1,"payload_size_bytes":1,"server_upload_time":1}');
};

beforeAll(async () => {
  upstream = await startFakePostHog(sourceLikeAnswer);
  stack = await startLoopStack({
    prefix: uniquePrefix('e2e-source-passthrough'),
    captureKey,
    clientSecret,
    token: 'e2e-source-passthrough-token',
    env: {
      SEGMENT_UPSTREAM: `${upstream.url}/v1`,
      AMPLITUDE_UPSTREAM: upstream.url,
      NOTE_COALESCE_MS: '200',
      SUMMARIZE_AFTER_NOTES: '1000',
      MCP_API_KEYS: `${mcpKey}:default`,
    },
  });
});
afterAll(async () => {
  await stack?.close();
  await upstream?.close();
});

const expectedLines = [
  'Viewed Pricing (/pricing)',
  'Plan selected (plan: Pro)',
  'Payment failed (error: Card declined for [email])',
];

async function openConversation(userId: string): Promise<string> {
  const opened = await fetch(`${stack.sandbox.url()}/_sandbox/conversations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      external_id: userId,
      body: 'My payment keeps failing',
      webhook: { url: `${stack.apiUrl}/webhooks/intercom`, clientSecret },
    }),
  });
  return ((await opened.json()) as { conversation: { id: string } }).conversation.id;
}

/** The note of the user's conversation and the MCP tool hold the journey once, in order, redacted. */
async function expectJourneyOnce(userId: string): Promise<void> {
  const conversationId = await openConversation(userId);
  const noteLines = () =>
    stack.sandbox
      .notes(conversationId)
      .flatMap((part) =>
        [...part.body.matchAll(/<p>\[\d+\] (.*?)<\/p>/g)].map((match) => match[1] as string),
      );
  const deadline = Date.now() + 20_000;
  while (noteLines().length < expectedLines.length && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 100));
  await new Promise((resolve) => setTimeout(resolve, 1000));
  expect(noteLines(), stack.worker.output().slice(-2000)).toEqual(expectedLines);
  const tool = await callLiveActivityTool(stack.apiUrl, mcpKey, userId);
  expect(tool.structuredContent.actions.map((action) => action.description)).toEqual(expectedLines);
}

describe('Segment and Amplitude SDKs through the passthrough (real API and worker processes)', () => {
  it('@segment/analytics-node: bytes reach Segment unchanged, a 500 is retried, the journey is stored once', async () => {
    const userId = `seg-pass-${randomUUID().slice(0, 8)}`;
    const sent: HTTPClientRequest[] = [];
    const fetchClient = new FetchHTTPClient();
    const analytics = new Analytics({
      writeKey: captureKey,
      host: stack.apiUrl,
      path: '/segment/v1/batch',
      flushAt: 3,
      maxRetries: 3,
      httpClient: {
        makeRequest: (request) => {
          sent.push(request);
          return fetchClient.makeRequest(request);
        },
      },
    });
    const errors: unknown[] = [];
    analytics.on('error', (error) => errors.push(error));
    // Segment answers the first try 500: the SDK sends the same batch again.
    failNext = 1;
    analytics.page({
      userId,
      name: 'Pricing',
      properties: { path: '/pricing', url: 'https://app.example.com/pricing' },
    });
    analytics.track({ userId, event: 'Plan Selected', properties: { plan: 'Pro' } });
    analytics.track({
      userId,
      event: 'Payment Failed',
      properties: { error: 'Card declined for ada@example.com' },
    });
    await analytics.closeAndFlush();
    expect(errors).toEqual([]);
    expect(sent.length).toBeGreaterThanOrEqual(2);
    const forwarded = upstream.received.filter((request) => request.url === '/v1/batch');
    for (const request of sent)
      expect(forwarded.some((received) => received.body.toString() === request.body)).toBe(true);
    expect(forwarded.every((request) => request.headers.host === new URL(upstream.url).host)).toBe(true);
    await expectJourneyOnce(userId);
  });

  it('@amplitude/analytics-node: every event reaches Amplitude, the answer comes back, the journey is stored once', async () => {
    const userId = `amp-pass-${randomUUID().slice(0, 8)}`;
    const amplitude = createInstance();
    await amplitude.init(captureKey, {
      serverUrl: `${stack.apiUrl}/amplitude/2/httpapi`,
      flushQueueSize: 50,
      flushIntervalMillis: 60_000,
    }).promise;
    const results = Promise.all([
      amplitude.track(
        '[Amplitude] Page Viewed',
        { '[Amplitude] Page Path': '/pricing', '[Amplitude] Page Title': 'Pricing | Acme' },
        { user_id: userId },
      ).promise,
      amplitude.track('Plan Selected', { plan: 'Pro' }, { user_id: userId }).promise,
      amplitude.track('Payment Failed', { error: 'Card declined for ada@example.com' }, { user_id: userId })
        .promise,
    ]);
    await amplitude.flush().promise;
    expect((await results).map((result) => result.code)).toEqual([200, 200, 200]);
    const forwarded = upstream.received.filter(
      (request) => request.url === '/2/httpapi' && request.body.toString().includes(userId),
    );
    expect(forwarded).toHaveLength(1);
    const events = (JSON.parse(forwarded[0]?.body.toString() ?? '{}') as { events: { event_type: string }[] })
      .events;
    expect(events.map((event) => event.event_type)).toEqual([
      '[Amplitude] Page Viewed',
      'Plan Selected',
      'Payment Failed',
    ]);
    await expectJourneyOnce(userId);
  });
});
