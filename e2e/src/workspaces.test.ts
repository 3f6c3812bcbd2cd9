import { randomBytes } from 'node:crypto';
import { type Deployment, openDeployment } from '@threadline/composition';
import { type Config, loadConfig } from '@threadline/config';
import { recordActivity } from '@threadline/core';
import {
  buildConversationNotification,
  createIntercomSandbox,
  deliverSignedWebhook,
  type IntercomSandbox,
} from '@threadline/intercom-sandbox';
import { RedisWorkspaceStore, TokenCipher } from '@threadline/redis-store';
import { deleteKeysWithPrefix, freePort, testRedisUrl, uniquePrefix } from '@threadline/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServiceProcess, startService, waitForOutput, waitForReady } from './processes.js';

const clientSecret = 'e2e_workspaces_client_secret';
const envToken = 'tok-env-workspace-a';
const encryptionKey = randomBytes(32).toString('base64');
const productA = 'prod-a';

let sandbox: IntercomSandbox;
let api: ServiceProcess;
let worker: ServiceProcess;
let apiUrl: string;
let config: Config;
let deployment: Deployment;
let productB: string;
let tokenB: string;

/** A token of workspace B as Intercom's OAuth gives it: approve on the authorize page, exchange the code. */
async function installToken(appId: string): Promise<string> {
  const form = (fields: Record<string, string>) => ({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual' as const,
  });
  const decided = await fetch(
    `${sandbox.url()}/oauth/decide`,
    form({
      client_id: 'sandbox-client-id',
      redirect_uri: 'http://127.0.0.1/callback',
      state: 's',
      decision: 'approve',
      workspace: appId,
    }),
  );
  const code = new URL(decided.headers.get('location') ?? '').searchParams.get('code') ?? '';
  const exchanged = await fetch(
    `${sandbox.url()}/auth/eagle/token`,
    form({ client_id: 'sandbox-client-id', client_secret: 'sandbox-client-secret', code }),
  );
  return ((await exchanged.json()) as { token: string }).token;
}

beforeAll(async () => {
  sandbox = await createIntercomSandbox({
    token: envToken,
    appId: 'app_a',
    adminId: '111',
    workspaces: [{ appId: 'app_b', adminId: '222' }],
  });
  const sandboxUrl = await sandbox.listen({ port: 0, host: '127.0.0.1' });
  const prefix = uniquePrefix('e2e-ws');
  const env = {
    REDIS_URL: testRedisUrl(),
    THREADLINE_PREFIX: prefix,
    PRODUCT_ID: productA,
    CAPTURE_API_KEY: 'phc_e2e_workspaces',
    // No INTERCOM_APP_ID: the environment workspace's app id is what GET /me answers for its token.
    INTERCOM_ACCESS_TOKEN: envToken,
    INTERCOM_CLIENT_SECRET: clientSecret,
    INTERCOM_API_BASE_URL: sandboxUrl,
    THREADLINE_ENCRYPTION_KEY: encryptionKey,
    NOTE_COALESCE_MS: '200',
    LOG_LEVEL: 'info',
  };
  const loaded = loadConfig(env);
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  config = loaded.config;
  deployment = await openDeployment(config, { role: 'producer', onError: () => {} });
  // Workspace B installed as the OAuth callback stores it: its own token, sealed, and its admin.
  tokenB = await installToken('app_b');
  const store = new RedisWorkspaceStore(deployment.redis, deployment.keys, new TokenCipher([encryptionKey]));
  const saved = await store.save(
    { appId: 'app_b', adminId: '222', apiBaseUrl: sandboxUrl, accessToken: tokenB },
    Date.now(),
  );
  productB = saved.workspace.productId;
  const port = await freePort();
  apiUrl = `http://127.0.0.1:${port}`;
  api = startService('api', { ...env, HOST: '127.0.0.1', PORT: String(port) });
  worker = startService('worker', env);
  await Promise.all([waitForReady(`${apiUrl}/readyz`, api), waitForOutput(worker, /worker started/)]);
}, 60_000);

afterAll(async () => {
  await Promise.all([api?.stop(), worker?.stop()]);
  await deployment?.close();
  await sandbox?.close();
  if (config) await deleteKeysWithPrefix(testRedisUrl(), config.prefix);
});

/** What the API does on capture for a product: store the action, ask for the deliveries it implies. */
async function capture(productId: string, userId: string, path: string) {
  await recordActivity(
    productId,
    [{ event: '$pageview', distinctId: userId, timestamp: new Date(), properties: { $pathname: path } }],
    {
      activity: deployment.stores.activity,
      links: deployment.stores.links,
      requestDelivery: (conversationId) => deployment.queues.deliveries.request(conversationId),
    },
  );
}

/** A conversation opened by `userId` in the workspace, announced to the API by a signed webhook. */
async function openConversation(appId: string, userId: string, notificationAppId = appId) {
  const contact = sandbox.createContact({ external_id: userId, workspace: appId });
  const conversation = sandbox.createConversation({ contactId: contact.id, body: 'help' });
  const notification = buildConversationNotification(
    'conversation.user.created',
    conversation,
    contact,
    notificationAppId,
  );
  const answer = await deliverSignedWebhook({
    url: `${apiUrl}/webhooks/intercom`,
    clientSecret,
    notification,
  });
  return { conversationId: conversation.id, answer: JSON.parse(answer.body) as { status: string } };
}

async function waitUntil<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('condition not met in time');
}

const notesOf = (conversationId: string) => sandbox.notes(conversationId);

describe('several Intercom workspaces, one deployment', () => {
  it("writes a webhook of workspace B with B's token and admin, and links it to B's product", async () => {
    await capture(productB, 'user-1', '/b/before');
    const { conversationId, answer } = await openConversation('app_b', 'user-1');
    expect(answer.status).toBe('accepted');
    const [note] = await waitUntil(() =>
      notesOf(conversationId).length > 0 ? notesOf(conversationId) : undefined,
    );
    // The sandbox resolves the conversation in the token's own workspace: A's token would get a 404.
    expect(note?.author).toMatchObject({ id: '222' });
    expect(note?.body).toContain('/b/before');
    expect((await deployment.stores.links.get(conversationId))?.productId).toBe(productB);
    // Its webhook is B's last sign of life (`threadline workspaces list`).
    const store = new RedisWorkspaceStore(
      deployment.redis,
      deployment.keys,
      new TokenCipher([encryptionKey]),
    );
    expect((await store.details(productB))?.lastSeenAt).toBeGreaterThan(Date.now() - 60_000);
  });

  it('keeps the same distinct_id in two products as two users', async () => {
    await capture(productA, 'same-user', '/a/only');
    await capture(productB, 'same-user', '/b/only');
    const a = await openConversation('app_a', 'same-user');
    const b = await openConversation('app_b', 'same-user');
    const noteA = await waitUntil(() => notesOf(a.conversationId)[0]);
    const noteB = await waitUntil(() => notesOf(b.conversationId)[0]);
    expect(noteA.author).toMatchObject({ id: '111' });
    expect(noteA.body).toContain('/a/only');
    expect(noteA.body).not.toContain('/b/only');
    expect(noteB.body).toContain('/b/only');
    expect(noteB.body).not.toContain('/a/only');
  });

  it('ignores, with 200 and a counted outcome, a notification of an app id no workspace has', async () => {
    const { conversationId, answer } = await openConversation('app_b', 'user-stranger', 'app_nobody');
    expect(answer.status).toBe('ignored');
    expect(await deployment.stores.links.lifecycle(conversationId)).toBeNull();
    const metrics = await (await fetch(`${apiUrl}/metrics`)).text();
    expect(metrics).toMatch(/threadline_webhook_deliveries_total\{[^}]*outcome="foreign_app"[^}]*\} 1/);
  });

  it("goes on writing B's notes while A waits out a storm of 429s", async () => {
    const a = await openConversation('app_a', 'user-storm-a');
    const b = await openConversation('app_b', 'user-storm-b');
    await waitUntil(async () => ((await deployment.stores.links.get(b.conversationId)) ? true : undefined));
    await waitUntil(async () => ((await deployment.stores.links.get(a.conversationId)) ? true : undefined));
    const before = { a: notesOf(a.conversationId).length, b: notesOf(b.conversationId).length };
    sandbox.injectFault({
      status: 429,
      retryAfterSeconds: 30,
      pathPattern: `/conversations/${a.conversationId}/reply$`,
      count: 1000,
    });
    await capture(productA, 'user-storm-a', '/a/throttled');
    await waitUntil(async () =>
      (await deployment.redis.exists(deployment.queues.sendGate.keys.limitedUntil)) ? true : undefined,
    );
    await capture(productB, 'user-storm-b', '/b/unhindered');
    await waitUntil(() =>
      notesOf(b.conversationId).some((note) => note.body.includes('/b/unhindered')) ? true : undefined,
    );
    // A is still waiting out its 429 when B's note is written, and wrote nothing meanwhile.
    expect(await deployment.redis.exists(deployment.queues.sendGate.keys.limitedUntil)).toBe(1);
    expect(notesOf(a.conversationId)).toHaveLength(before.a);
    expect(notesOf(b.conversationId).length).toBeGreaterThan(before.b);
    expect(await deployment.queues.sendGateFor(productB).paused()).toBeNull();
  });

  it("pauses only A when A's token is revoked (an uninstall)", async () => {
    const gateA = deployment.queues.sendGate;
    await gateA.resume();
    await deployment.redis.del(gateA.keys.limitedUntil);
    sandbox.revokeTokens({ token: envToken });
    const a = await openConversation('app_a', 'user-revoked-a');
    await capture(productA, 'user-revoked-a', '/a/revoked');
    const pause = await waitUntil(async () => (await gateA.paused()) ?? undefined);
    expect(pause.code).toBe('unauthorized');
    await capture(productB, 'user-1', '/b/after-revoke');
    const b = await waitUntil(async () => {
      const links = await deployment.stores.links.linksOf({ productId: productB, userId: 'user-1' });
      return links[0];
    });
    await waitUntil(() =>
      notesOf(b.conversationId).some((note) => note.body.includes('/b/after-revoke')) ? true : undefined,
    );
    expect(await deployment.queues.sendGateFor(productB).paused()).toBeNull();
    expect(notesOf(a.conversationId)).toEqual([]);
  });
});
