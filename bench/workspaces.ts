/**
 * Workspaces benchmark: BENCH_WORKSPACES (default 20) Intercom workspaces served by one deployment
 * (the PRODUCT_ID one from the environment, the others installed with their own OAuth tokens, sealed in
 * Redis), the real API and worker processes (tsx), the sandbox in this process. The environment's
 * workspace is rate-limited by the sandbox (BENCH_LIMITED_PER_WINDOW calls per 10 s, default 5) while
 * its users click like everyone else's, so it answers 429s all along. Run with `pnpm bench:workspaces`.
 *
 * BENCH_USERS_PER_WORKSPACE users (default 10) per workspace, each with a linked conversation, click
 * about once every BENCH_CLICK_EVERY_S (default 5) seconds for BENCH_DURATION_S (default 20). The
 * actions are stored as the capture route stores them (`recordActivity` with the workspace's product),
 * the webhooks are signed and posted to the API. Reported: event→note latency p50/p99 of the healthy
 * workspaces (from storing the action to the sandbox answering the note's post) and the 429s the
 * limited one got.
 */
import { randomBytes } from 'node:crypto';
import { openDeployment } from '@threadline/composition';
import { loadConfig } from '@threadline/config';
import { recordActivity } from '@threadline/core';
import {
  buildConversationNotification,
  createIntercomSandbox,
  deliverSignedWebhook,
} from '@threadline/intercom-sandbox';
import { RedisWorkspaceStore, TokenCipher } from '@threadline/redis-store';
import { deleteKeysWithPrefix, freePort } from '@threadline/test-helpers';
import { startService, waitForOutput, waitForReady } from '../e2e/src/processes.js';
import { reportFigures } from './report.js';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const workspaceCount = Number(process.env.BENCH_WORKSPACES ?? 20);
const usersPerWorkspace = Number(process.env.BENCH_USERS_PER_WORKSPACE ?? 10);
const durationMs = Number(process.env.BENCH_DURATION_S ?? 20) * 1000;
const clickEveryMs = Number(process.env.BENCH_CLICK_EVERY_S ?? 5) * 1000;
const limitedPerWindow = Number(process.env.BENCH_LIMITED_PER_WINDOW ?? 5);
const coalesceMs = Number(process.env.NOTE_COALESCE_MS ?? 2000);
const clientSecret = 'bench_client_secret';
const envToken = 'bench-env-token';
const encryptionKey = randomBytes(32).toString('base64');
const prefix = `tl-bench-ws-${randomBytes(3).toString('hex')}`;
const limitedProduct = 'bench-limited';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (sorted: number[], p: number) =>
  sorted.length === 0
    ? Number.NaN
    : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

const appIds = Array.from({ length: workspaceCount }, (_, index) => `bench_app_${index}`);
const sandbox = await createIntercomSandbox({
  token: envToken,
  appId: appIds[0],
  rateLimitPerWindow: limitedPerWindow,
  workspaces: appIds.slice(1).map((appId) => ({ appId, rateLimitPerWindow: 1666 })),
});
const sandboxUrl = await sandbox.listen({ port: 0, host: '127.0.0.1' });
const port = await freePort();
const apiUrl = `http://127.0.0.1:${port}`;
const env: Record<string, string> = {
  REDIS_URL: redisUrl,
  THREADLINE_PREFIX: prefix,
  PRODUCT_ID: limitedProduct,
  CAPTURE_API_KEY: 'phc_bench_workspaces',
  INTERCOM_ACCESS_TOKEN: envToken,
  INTERCOM_APP_ID: appIds[0]!,
  INTERCOM_CLIENT_SECRET: clientSecret,
  INTERCOM_API_BASE_URL: sandboxUrl,
  THREADLINE_ENCRYPTION_KEY: encryptionKey,
  LOG_LEVEL: 'error',
  NOTE_COALESCE_MS: String(coalesceMs),
  SUMMARIZE_AFTER_NOTES: '1000',
};
const loaded = loadConfig(env);
if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
const deployment = await openDeployment(loaded.config, { role: 'producer', onError: () => {} });

/** A workspace's own token, as the OAuth flow gives it (approve, then exchange the code). */
async function installToken(appId: string): Promise<string> {
  const form = (fields: Record<string, string>) => ({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual' as const,
  });
  const decided = await fetch(
    `${sandboxUrl}/oauth/decide`,
    form({
      client_id: 'sandbox-client-id',
      redirect_uri: 'http://127.0.0.1/callback',
      decision: 'approve',
      workspace: appId,
    }),
  );
  const code = new URL(decided.headers.get('location') ?? '').searchParams.get('code') ?? '';
  const exchanged = await fetch(
    `${sandboxUrl}/auth/eagle/token`,
    form({ client_id: 'sandbox-client-id', client_secret: 'sandbox-client-secret', code }),
  );
  return ((await exchanged.json()) as { token: string }).token;
}

const store = new RedisWorkspaceStore(deployment.redis, deployment.keys, new TokenCipher([encryptionKey]));
const productOf = new Map<string, string>([[appIds[0]!, limitedProduct]]);
const adminOf = new Map(sandbox.workspaces().map((workspace) => [workspace.appId, workspace.adminId]));
for (const appId of appIds.slice(1)) {
  const { workspace } = await store.save(
    { appId, adminId: adminOf.get(appId)!, apiBaseUrl: sandboxUrl, accessToken: await installToken(appId) },
    Date.now(),
  );
  productOf.set(appId, workspace.productId);
}

const api = startService('api', { ...env, HOST: '127.0.0.1', PORT: String(port) });
const worker = startService('worker', { ...env, LOG_LEVEL: 'info' });
process.once('exit', () => {
  api.child.kill('SIGKILL');
  worker.child.kill('SIGKILL');
});
await Promise.all([waitForReady(`${apiUrl}/readyz`, api), waitForOutput(worker, /worker started/)]);

interface BenchUser {
  appId: string;
  productId: string;
  userId: string;
  conversationId: string;
  /** When each numbered action (1-based) was stored. */
  storedAt: number[];
}

let step = 0;
async function click(user: { productId: string; userId: string }) {
  step += 1;
  await recordActivity(
    user.productId,
    [
      {
        event: '$autocapture',
        distinctId: user.userId,
        timestamp: new Date(),
        properties: {
          $event_type: 'click',
          $pathname: '/board',
          $elements_chain: `button.btn:text="Card ${step % 97}"nth-child="1"nth-of-type="1"`,
        },
      },
    ],
    {
      activity: deployment.stores.activity,
      links: deployment.stores.links,
      requestDelivery: (conversationId) => deployment.queues.deliveries.request(conversationId),
    },
  );
}

// --- Set up: one action and one linked conversation per user.
process.stdout.write(
  `linking ${workspaceCount * usersPerWorkspace} conversations in ${workspaceCount} workspaces… `,
);
const users: BenchUser[] = [];
for (const appId of appIds) {
  const productId = productOf.get(appId)!;
  for (let index = 0; index < usersPerWorkspace; index += 1) {
    const userId = `user_${index}`;
    await click({ productId, userId });
    const contact = sandbox.createContact({ external_id: userId, workspace: appId });
    const conversation = sandbox.createConversation({ contactId: contact.id });
    const notification = buildConversationNotification(
      'conversation.user.created',
      conversation,
      contact,
      appId,
    );
    await deliverSignedWebhook({ url: `${apiUrl}/webhooks/intercom`, clientSecret, notification });
    users.push({ appId, productId, userId, conversationId: conversation.id, storedAt: [0] });
  }
}
const healthy = users.filter((user) => user.productId !== limitedProduct);
const lines = (conversationId: string) =>
  sandbox
    .notes(conversationId)
    .reduce((sum, note) => sum + [...note.body.matchAll(/<p>\[(\d+)\] /g)].length, 0);
const deadline = Date.now() + 120_000;
while (!healthy.every((user) => lines(user.conversationId) >= 1)) {
  if (Date.now() > deadline) throw new Error(`linking did not finish:\n${worker.output()}`);
  await sleep(250);
}
console.log('done');

// --- The run: every user clicks at random (Poisson), the limited workspace's too.
const start = Date.now();
const gap = () => -Math.log(1 - Math.random()) * clickEveryMs;
const next = new Map(users.map((user) => [user, start + gap()]));
const inFlight = new Set<Promise<unknown>>();
while (Date.now() - start < durationMs) {
  const now = Date.now();
  for (const user of users) {
    if (next.get(user)! > now) continue;
    next.set(user, next.get(user)! + gap());
    user.storedAt.push(Date.now());
    const sending = click(user);
    inFlight.add(sending);
    void sending.finally(() => inFlight.delete(sending));
  }
  await sleep(5);
}
await Promise.all(inFlight);
const drainDeadline = Date.now() + 60_000;
while (!healthy.every((user) => lines(user.conversationId) >= user.storedAt.length)) {
  if (Date.now() > drainDeadline) break;
  await sleep(250);
}

const byConversation = new Map(users.map((user) => [user.conversationId, user]));
const latencies: number[] = [];
let limited429s = 0;
let limitedNotes = 0;
for (const request of sandbox.requests()) {
  if (request.method !== 'POST' || !request.path.endsWith('/reply')) continue;
  const user = byConversation.get(request.path.split('/')[2]!);
  if (!user) continue;
  if (user.productId === limitedProduct) {
    if (request.status === 429) limited429s += 1;
    if (request.status === 200) limitedNotes += 1;
    continue;
  }
  if (request.status !== 200) continue;
  const body = (request.body as { body?: string } | null)?.body ?? '';
  for (const match of body.matchAll(/<p>\[(\d+)\] /g)) {
    const stored = user.storedAt[Number(match[1]) - 1];
    if (stored) latencies.push(request.at - stored);
  }
}
latencies.sort((a, b) => a - b);
const delivered = healthy.every((user) => lines(user.conversationId) >= user.storedAt.length);
const p50 = percentile(latencies, 50) / 1000;
const p99 = percentile(latencies, 99) / 1000;
console.table({
  workspaces: workspaceCount,
  users: users.length,
  'healthy actions': latencies.length,
  'healthy event→note p50 (s)': p50.toFixed(2),
  'healthy event→note p99 (s)': p99.toFixed(2),
  'all healthy delivered': delivered,
  'limited workspace: 429s': limited429s,
  'limited workspace: notes posted': limitedNotes,
});
reportFigures([
  {
    benchmark: 'workspaces',
    name: 'event→note p50, 19 healthy of 20 (one rate-limited)',
    value: p50,
    unit: 's',
  },
  {
    benchmark: 'workspaces',
    name: 'event→note p99, 19 healthy of 20 (one rate-limited)',
    value: p99,
    unit: 's',
  },
  {
    benchmark: 'workspaces',
    name: '429s of the rate-limited workspace',
    value: limited429s,
    unit: 'answers',
  },
]);

await Promise.all([api.stop(), worker.stop()]);
await deployment.close();
await sandbox.close();
await deleteKeysWithPrefix(redisUrl, prefix);
if (!delivered) {
  console.error('some healthy workspace actions were not delivered');
  process.exitCode = 1;
}
