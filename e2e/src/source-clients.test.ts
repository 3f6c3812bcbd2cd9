import { randomUUID } from 'node:crypto';
import { createInstance } from '@amplitude/analytics-node';
import Rudder from '@rudderstack/rudder-sdk-node';
import { Analytics } from '@segment/analytics-node';
import type { IntercomSandbox } from '@threadline/intercom-sandbox';
import { callLiveActivityTool, uniquePrefix } from '@threadline/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoopStack, startLoopStack } from './processes.js';

const captureKey = 'phc_e2e_sources_key';
const clientSecret = 'e2e_sources_client_secret';
const token = 'e2e-sources-token';
const mcpKey = 'mcp_e2e_sources_key_0123';
const prefix = uniquePrefix('e2e-sources');
let stack: LoopStack;
let sandbox: IntercomSandbox;

beforeAll(async () => {
  stack = await startLoopStack({
    prefix,
    captureKey,
    clientSecret,
    token,
    env: { NOTE_COALESCE_MS: '200', SUMMARIZE_AFTER_NOTES: '1000', MCP_API_KEYS: `${mcpKey}:default` },
  });
  sandbox = stack.sandbox;
});
afterAll(async () => stack?.close());

/** The journey every source's client walks: anonymous page view, sign in, a choice, a form, an error. */
const expectedLines = [
  'Viewed Pricing (/pricing)',
  'Signed in',
  'Plan selected (plan: Pro)',
  'Checkout form submitted (step: payment)',
  'Payment failed (error: Card declined for [email])',
];

function noteLines(conversationId: string): string[] {
  return sandbox
    .notes(conversationId)
    .flatMap((part) => [...part.body.matchAll(/<p>\[\d+\] (.*?)<\/p>/g)].map((match) => match[1] as string));
}

async function openConversation(userId: string): Promise<string> {
  const opened = await fetch(`${sandbox.url()}/_sandbox/conversations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      external_id: userId,
      body: 'My payment keeps failing',
      webhook: { url: `${stack.apiUrl}/webhooks/intercom`, clientSecret },
    }),
  });
  const { conversation } = (await opened.json()) as { conversation: { id: string } };
  return conversation.id;
}

async function waitForNoteLines(conversationId: string, count: number): Promise<string[]> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const lines = noteLines(conversationId);
    if (lines.length >= count) return lines;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`expected ${count} note lines; api said:\n${stack.api.output()}`);
}

async function toolDescriptions(userId: string): Promise<string[]> {
  const result = await callLiveActivityTool(stack.apiUrl, mcpKey, userId);
  return result.structuredContent.actions.map((action) => action.description);
}

/** The note and the MCP tool both hold the journey, in order, redacted, after the client flushed. */
async function expectJourney(userId: string, anonymousId: string): Promise<void> {
  const conversationId = await openConversation(userId);
  const lines = await waitForNoteLines(conversationId, expectedLines.length);
  expect(lines).toEqual(expectedLines);
  expect(await toolDescriptions(userId)).toEqual(expectedLines);
  expect(await toolDescriptions(anonymousId)).toEqual([]);
  expect(lines.join('\n')).not.toContain('ada@example.com');
}

type SegmentLike = {
  page(message: Record<string, unknown>): unknown;
  identify(message: Record<string, unknown>): unknown;
  track(message: Record<string, unknown>): unknown;
};

/** `pageLoaded` runs between the anonymous page view and the sign-in, as time passes between them. */
async function walkSegmentJourney(
  client: SegmentLike,
  userId: string,
  anonymousId: string,
  pageLoaded: () => Promise<unknown> = async () => {},
): Promise<void> {
  client.page({
    anonymousId,
    name: 'Pricing',
    properties: { path: '/pricing', url: 'https://app.example.com/pricing' },
  });
  await pageLoaded();
  client.identify({ userId, anonymousId, traits: { email: 'ada@example.com' } });
  client.track({ userId, event: 'Plan Selected', properties: { plan: 'Pro' } });
  client.track({ userId, event: 'Checkout Form Submitted', properties: { step: 'payment' } });
  client.track({
    userId,
    event: 'Payment Failed',
    properties: { error: 'Card declined for ada@example.com' },
  });
}

describe('server SDKs of the other sources against the real processes', () => {
  it('@segment/analytics-node (host + path /segment/v1/batch)', async () => {
    const userId = `seg-node-${randomUUID().slice(0, 8)}`;
    const anonymousId = `anon-${randomUUID()}`;
    const analytics = new Analytics({
      writeKey: captureKey,
      host: stack.apiUrl,
      path: '/segment/v1/batch',
      flushAt: 20,
    });
    const errors: unknown[] = [];
    analytics.on('error', (error) => errors.push(error));
    await walkSegmentJourney(analytics, userId, anonymousId);
    await analytics.closeAndFlush();
    expect(errors).toEqual([]);
    await expectJourney(userId, anonymousId);
  });

  it('@rudderstack/rudder-sdk-node (dataPlaneUrl <host>/segment, gzip on)', async () => {
    const userId = `rudder-node-${randomUUID().slice(0, 8)}`;
    const anonymousId = `anon-${randomUUID()}`;
    const errors: unknown[] = [];
    const client = new Rudder(captureKey, {
      dataPlaneUrl: `${stack.apiUrl}/segment`,
      flushAt: 20,
      logLevel: 'error',
      errorHandler: (error: unknown) => errors.push(error),
    });
    // rudder-sdk-node sends its first event at once and the rest in a second request that may
    // overtake the first; a note is in arrival order, so the page view is delivered before the sign-in.
    await walkSegmentJourney(client as unknown as SegmentLike, userId, anonymousId, () => client.flush());
    await client.flush();
    expect(errors).toEqual([]);
    await expectJourney(userId, anonymousId);
  });

  it('@amplitude/analytics-node (serverUrl <host>/amplitude/2/httpapi)', async () => {
    const userId = `amp-node-${randomUUID().slice(0, 8)}`;
    const deviceId = `device-${randomUUID()}`;
    const amplitude = createInstance();
    await amplitude.init(captureKey, {
      serverUrl: `${stack.apiUrl}/amplitude/2/httpapi`,
      flushQueueSize: 50,
      flushIntervalMillis: 60_000,
    }).promise;
    const track = (eventType: string, properties: Record<string, unknown>, ids: Record<string, string>) =>
      amplitude.track(eventType, properties, ids).promise;
    const results = Promise.all([
      track(
        '[Amplitude] Page Viewed',
        { '[Amplitude] Page Path': '/pricing', '[Amplitude] Page Title': 'Pricing | Acme' },
        { device_id: deviceId },
      ),
      // Amplitude has no sign-in call: the first event with both ids links the device to the user.
      track('Signed In', {}, { user_id: userId, device_id: deviceId }),
      track('Plan Selected', { plan: 'Pro' }, { user_id: userId, device_id: deviceId }),
      track('Checkout Form Submitted', { step: 'payment' }, { user_id: userId, device_id: deviceId }),
      track(
        'Payment Failed',
        { error: 'Card declined for ada@example.com' },
        { user_id: userId, device_id: deviceId },
      ),
    ]);
    await amplitude.flush().promise;
    const codes = (await results).map((result) => result.code);
    expect(codes).toEqual([200, 200, 200, 200, 200]);
    await expectJourney(userId, deviceId);
  });
});
