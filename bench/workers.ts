/**
 * One worker process against three: the same backlog of actions for many linked conversations,
 * delivered to the Intercom sandbox; prints notes/s and actions/s for each. Run with `pnpm bench:workers`.
 * Options (env): BENCH_CONVERSATIONS (default 300), BENCH_EVENTS_PER_USER (default 20).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { buildConversationNotification, createIntercomSandbox } from '@threadline/intercom-sandbox';
import { createQueues } from '@threadline/queues';
import { deleteKeysWithPrefix, freePort } from '@threadline/test-helpers';
import { Redis } from 'ioredis';
import { reportFigures } from './report.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const conversations = Number(process.env.BENCH_CONVERSATIONS ?? 300);
const eventsPerUser = Number(process.env.BENCH_EVENTS_PER_USER ?? 20);
const secret = 'bench_client_secret';
const token = 'bench-token';

function start(app: 'api' | 'worker', env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', `apps/${app}/src/main.ts`], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

async function started(worker: ChildProcess): Promise<void> {
  let output = '';
  await new Promise<void>((resolve) => {
    worker.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('worker started')) resolve();
    });
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}

async function run(workers: number): Promise<{ seconds: number; notes: number; actions: number }> {
  const sandbox = await createIntercomSandbox({ token, rateLimitPerWindow: 1_000_000 });
  const sandboxUrl = await sandbox.listen({ port: 0, host: '127.0.0.1' });
  // The sandbox compiles its OpenAPI validators on first use; do that before the clock runs.
  const warmUp = sandbox.createConversation({
    contactId: sandbox.createContact({ external_id: 'warm-up' }).id,
  });
  await fetch(`${sandboxUrl}/conversations/${warmUp.id}/reply`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ message_type: 'note', type: 'admin', admin_id: '991267', body: 'warm-up' }),
  });
  const prefix = `bench-workers-${randomUUID().slice(0, 8)}`;
  const port = await freePort();
  const apiUrl = `http://127.0.0.1:${port}`;
  const env = {
    REDIS_URL: redisUrl,
    THREADLINE_PREFIX: prefix,
    CAPTURE_API_KEY: 'phc_bench',
    // The load generator stands for many clients on one address: the per-IP limits are lifted so they
    // never refuse, while their Redis calls still run on every request.
    CAPTURE_IP_EVENTS_PER_MINUTE: '10000000',
    CAPTURE_IP_NEW_USERS_PER_HOUR: '10000000',
    CAPTURE_MAX_USERS_PER_REQUEST: '1000',
    INTERCOM_ACCESS_TOKEN: token,
    INTERCOM_CLIENT_SECRET: secret,
    INTERCOM_API_BASE_URL: sandboxUrl,
    NOTE_COALESCE_MS: '100',
    LOG_LEVEL: 'warn',
  };
  // Both queues stay paused until every worker is up, so the figure is delivery, not process start-up.
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queues = createQueues(redis, { prefix, coalesceMs: 100 });
  await Promise.all(Object.values(queues.queues).map((queue) => queue.pause()));
  const api = start('api', { ...env, HOST: '127.0.0.1', PORT: String(port) });
  for (let attempt = 0; attempt < 100; attempt += 1) {
    try {
      if ((await fetch(`${apiUrl}/readyz`)).ok) break;
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const ids: string[] = [];
  for (let index = 0; index < conversations; index += 1) {
    const contact = sandbox.createContact({ external_id: `bench_user_${index}` });
    const conversation = sandbox.createConversation({ contactId: contact.id });
    ids.push(conversation.id);
    const body = JSON.stringify(
      buildConversationNotification('conversation.user.created', conversation, contact, 'app'),
    );
    await fetch(`${apiUrl}/webhooks/intercom`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-hub-signature': `sha1=${createHmac('sha1', secret).update(body).digest('hex')}`,
      },
      body,
    });
  }
  // The backlog: links and actions are queued before any worker runs.
  for (let index = 0; index < conversations; index += 1) {
    const batch = Array.from({ length: eventsPerUser }, (_, step) => ({
      event: '$pageview',
      distinct_id: `bench_user_${index}`,
      properties: { $pathname: `/step/${step}` },
    }));
    await fetch(`${apiUrl}/batch/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ api_key: 'phc_bench', batch }),
    });
  }
  const workerProcesses = Array.from({ length: workers }, () =>
    start('worker', { ...env, LOG_LEVEL: 'info' }),
  );
  await Promise.all(workerProcesses.map(started));
  const startedAt = Date.now();
  await Promise.all(Object.values(queues.queues).map((queue) => queue.resume()));
  const expectedActions = conversations * eventsPerUser;
  const countActions = () =>
    ids.reduce(
      (sum, id) =>
        sum +
        sandbox.notes(id).reduce((lines, note) => lines + (note.body.match(/<p>\[\d+\]/g)?.length ?? 0), 0),
      0,
    );
  while (countActions() < expectedActions && Date.now() - startedAt < 300_000) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const seconds = (Date.now() - startedAt) / 1000;
  const notes = ids.reduce((sum, id) => sum + sandbox.notes(id).length, 0);
  const actions = countActions();
  await Promise.all([...workerProcesses, api].map(stop));
  await queues.close();
  redis.disconnect();
  await sandbox.close();
  await deleteKeysWithPrefix(redisUrl, prefix);
  return { seconds, notes, actions };
}

console.log(
  `\nWorkers — ${conversations} conversations × ${eventsPerUser} actions, ${cpus().length} cores, Node ${process.version}`,
);
console.log('| worker processes | time to drain s | notes | actions | actions/s | notes/s |');
console.log('| --- | --- | --- | --- | --- | --- |');
const results: Record<number, number> = {};
for (const workers of [1, 3]) {
  const { seconds, notes, actions } = await run(workers);
  results[workers] = actions / seconds;
  console.log(
    `| ${workers} | ${seconds.toFixed(1)} | ${notes} | ${actions} | ${Math.round(actions / seconds)} | ${Math.round(notes / seconds)} |`,
  );
}
reportFigures([
  {
    benchmark: 'workers',
    name: '1 worker: actions delivered/s',
    value: Math.round(results[1] ?? 0),
    unit: '/s',
  },
  {
    benchmark: 'workers',
    name: '3 workers: actions delivered/s',
    value: Math.round(results[3] ?? 0),
    unit: '/s',
  },
]);
