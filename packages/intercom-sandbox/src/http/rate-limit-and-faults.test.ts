import { afterEach, describe, expect, it, vi } from 'vitest';
import { createIntercomSandbox, type IntercomSandbox } from '../create-intercom-sandbox.js';

const token = 'test-token';
const auth = { authorization: `Bearer ${token}` };
const opened: IntercomSandbox[] = [];

async function sandboxWith(rateLimitPerWindow?: number) {
  const sandbox = await createIntercomSandbox({
    token,
    ...(rateLimitPerWindow ? { rateLimitPerWindow } : {}),
  });
  opened.push(sandbox);
  const contact = sandbox.createContact({ external_id: 'user_1' });
  const conversation = sandbox.createConversation({ contactId: contact.id });
  return { sandbox, conversation };
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((sandbox) => sandbox.close()));
});

const note = { message_type: 'note', type: 'admin', admin_id: '991267', body: '<p>[1] Viewed</p>' };

describe('rate limit', () => {
  it('answers 429 with Retry-After and the X-RateLimit headers once the window budget is spent', async () => {
    const { sandbox } = await sandboxWith(3);
    const statuses: number[] = [];
    for (let index = 0; index < 3; index += 1) {
      statuses.push((await sandbox.app.inject({ method: 'GET', url: '/me', headers: auth })).statusCode);
    }
    const limited = await sandbox.app.inject({ method: 'GET', url: '/me', headers: auth });
    // A window boundary between requests would refill the budget; one retry keeps the test deterministic.
    const response = limited.statusCode === 429 ? limited : await exhaust(sandbox);
    expect(statuses).toEqual([200, 200, 200]);
    expect(response.statusCode).toBe(429);
    expect(response.json().errors[0].code).toBe('rate_limit_exceeded');
    expect(response.headers['x-ratelimit-limit']).toBe('3');
    expect(response.headers['x-ratelimit-remaining']).toBe('0');
    const reset = Number(response.headers['x-ratelimit-reset']);
    expect(reset).toBeGreaterThan(Date.now() / 1000 - 1);
    expect(reset).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 10);
    expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(response.headers['retry-after'])).toBeLessThanOrEqual(10);
  });
});

async function exhaust(sandbox: IntercomSandbox) {
  for (;;) {
    const response = await sandbox.app.inject({ method: 'GET', url: '/me', headers: auth });
    if (response.statusCode === 429) return response;
  }
}

describe('injected faults', () => {
  it('plays a 429 fault on the matching request only, count times, without the effect', async () => {
    const { sandbox, conversation } = await sandboxWith();
    sandbox.injectFault({
      status: 429,
      retryAfterSeconds: 7,
      count: 2,
      method: 'POST',
      pathPattern: '/reply$',
    });
    const reply = () =>
      sandbox.app.inject({
        method: 'POST',
        url: `/conversations/${conversation.id}/reply`,
        headers: auth,
        payload: note,
      });

    expect((await sandbox.app.inject({ method: 'GET', url: '/me', headers: auth })).statusCode).toBe(200);
    const first = await reply();
    expect(first.statusCode).toBe(429);
    expect(first.headers['retry-after']).toBe('7');
    expect(first.headers['x-ratelimit-remaining']).toBe('0');
    expect(first.headers['x-ratelimit-limit']).toBeDefined();
    expect(first.headers['x-ratelimit-reset']).toBeDefined();
    expect((await reply()).statusCode).toBe(429);
    expect(sandbox.notes(conversation.id)).toHaveLength(0);
    expect((await reply()).statusCode).toBe(200);
    expect(sandbox.notes(conversation.id)).toHaveLength(1);
  });

  it('plays a 500 after applying the effect when asked, so the outcome is unknown to the client', async () => {
    const { sandbox, conversation } = await sandboxWith();
    await sandbox.app.inject({
      method: 'POST',
      url: '/_sandbox/faults',
      payload: { status: 500, applyEffect: true },
    });
    const response = await sandbox.app.inject({
      method: 'POST',
      url: `/conversations/${conversation.id}/reply`,
      headers: auth,
      payload: note,
    });
    expect(response.statusCode).toBe(500);
    expect(response.json().type).toBe('error.list');
    expect(sandbox.notes(conversation.id)).toHaveLength(1);
    expect(sandbox.requests().at(-1)).toMatchObject({
      path: `/conversations/${conversation.id}/reply`,
      status: 500,
    });
  });

  it('delays the answer past a client timeout while the note is still written', async () => {
    const { sandbox, conversation } = await sandboxWith();
    const url = await sandbox.listen();
    sandbox.injectFault({ delayMs: 1_500, pathPattern: '/reply$' });
    const attempt = fetch(`${url}/conversations/${conversation.id}/reply`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify(note),
      signal: AbortSignal.timeout(200),
    });
    await expect(attempt).rejects.toMatchObject({ name: 'TimeoutError' });
    // The client gave up; the note is there all the same (waited for, not timed).
    await vi.waitFor(() => expect(sandbox.notes(conversation.id)).toHaveLength(1), { timeout: 10_000 });
  });

  it('rejects a fault with an invalid pattern on the control route', async () => {
    const { sandbox } = await sandboxWith();
    const response = await sandbox.app.inject({
      method: 'POST',
      url: '/_sandbox/faults',
      payload: { pathPattern: '(' },
    });
    expect(response.statusCode).toBe(400);
  });
});
