import { IntercomError } from '@threadline/core';
import { createIntercomSandbox, type IntercomSandbox } from '@threadline/intercom-sandbox';
import { freePort } from '@threadline/test-helpers';
import { IntercomTimeoutError, IntercomError as SdkError } from 'intercom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyIntercomError } from './classify-intercom-error.js';
import { IntercomAdapter } from './intercom-adapter.js';

const token = 'classify-test-token';
let sandbox: IntercomSandbox;
let baseUrl: string;
let adapter: IntercomAdapter;
let conversationId: string;

beforeAll(async () => {
  sandbox = await createIntercomSandbox({ token });
  baseUrl = await sandbox.listen();
  adapter = new IntercomAdapter({ accessToken: token, baseUrl, adminId: '1', timeoutMs: 2000 });
  const contact = sandbox.createContact({ external_id: 'user_classify' });
  conversationId = sandbox.createConversation({ contactId: contact.id }).id;
});
afterAll(() => sandbox.close());

/** What a note post fails with, as the worker sees it (intercom-client over HTTP, then classified). */
async function postFailure(target: IntercomAdapter = adapter, conversation = conversationId) {
  const error = await target.addNote(conversation, { html: '<p>x</p>', reference: 'tl-x' }).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(IntercomError);
  return error as IntercomError;
}

describe('classifyIntercomError, over HTTP against the sandbox', () => {
  it('400: bad_request with Intercom’s reason', async () => {
    sandbox.injectFault({ status: 400, method: 'POST' });
    const error = await postFailure();
    expect([error.code, error.status]).toEqual(['bad_request', 400]);
    expect(error.message).toMatch(/^Intercom answered 400: parameter_invalid/);
  });

  it('401: unauthorized (a refused token)', async () => {
    const refused = new IntercomAdapter({
      accessToken: 'wrong-token',
      baseUrl,
      adminId: '1',
      timeoutMs: 2000,
    });
    const error = await postFailure(refused);
    expect([error.code, error.status]).toEqual(['unauthorized', 401]);
  });

  it('404: not_found (a conversation Intercom does not have)', async () => {
    const error = await adapter.listNotes('999999999').then(
      () => undefined,
      (thrown: unknown) => thrown as IntercomError,
    );
    expect([error?.code, error?.status]).toEqual(['not_found', 404]);
  });

  it('429: rate_limited with the wait from Retry-After', async () => {
    sandbox.injectFault({ status: 429, retryAfterSeconds: 7, method: 'POST' });
    const error = await postFailure();
    expect([error.code, error.status, error.retryAfterMs]).toEqual(['rate_limited', 429, 7000]);
  });

  it.each([500, 502, 503, 504] as const)('%i: unavailable', async (status) => {
    sandbox.injectFault({ status, method: 'POST' });
    const error = await postFailure();
    expect([error.code, error.status, error.isUnanswered]).toEqual(['unavailable', status, false]);
  });

  it('no answer within INTERCOM_TIMEOUT_MS: timeout', async () => {
    const impatient = new IntercomAdapter({ accessToken: token, baseUrl, adminId: '1', timeoutMs: 200 });
    sandbox.injectFault({ delayMs: 1500, method: 'POST', applyEffect: false });
    const error = await postFailure(impatient);
    expect([error.code, error.status, error.isUnanswered]).toEqual(['timeout', undefined, true]);
  });

  it('nobody listening (a network failure): unavailable', async () => {
    const port = await freePort();
    const nowhere = new IntercomAdapter({
      accessToken: token,
      baseUrl: `http://127.0.0.1:${port}`,
      adminId: '1',
      timeoutMs: 2000,
    });
    const error = await postFailure(nowhere);
    expect([error.code, error.status, error.isUnanswered]).toEqual(['unavailable', undefined, true]);
    expect(error.message).toMatch(/^Intercom could not be reached: fetch failed/);
  });
});

describe('classifyIntercomError, statuses the sandbox does not answer', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const headers = (entries: Record<string, string>) => ({ headers: new Headers(entries) }) as never;

  it('403: forbidden (the token lacks a permission)', () => {
    const error = classifyIntercomError(new SdkError({ statusCode: 403 }), now);
    expect([error.code, error.status]).toEqual(['forbidden', 403]);
  });

  it('422 (any other 4xx): bad_request', () => {
    const error = classifyIntercomError(
      new SdkError({ statusCode: 422, body: { errors: [{ code: 'conflict', message: 'taken' }] } }),
      now,
    );
    expect([error.code, error.status, error.message]).toEqual([
      'bad_request',
      422,
      'Intercom answered 422: conflict: taken',
    ]);
  });

  it('429 without Retry-After: the wait until X-RateLimit-Reset', () => {
    const reset = String(now.getTime() / 1000 + 4);
    const error = classifyIntercomError(
      new SdkError({ statusCode: 429, rawResponse: headers({ 'x-ratelimit-reset': reset }) }),
      now,
    );
    expect([error.code, error.retryAfterMs]).toEqual(['rate_limited', 4000]);
  });

  it('the client’s own timeout error, and a plain SDK error saying "timeout": timeout', () => {
    expect(classifyIntercomError(new IntercomTimeoutError('Timeout'), now).code).toBe('timeout');
    expect(classifyIntercomError(new SdkError({ message: 'timeout' }), now).code).toBe('timeout');
  });

  it('anything else thrown: unavailable; an IntercomError passes through unchanged', () => {
    expect(classifyIntercomError(new TypeError('fetch failed'), now).message).toBe(
      'Intercom could not be reached: fetch failed',
    );
    const classified = new IntercomError('not_found', 'gone', { status: 404 });
    expect(classifyIntercomError(classified, now)).toBe(classified);
  });
});
