/**
 * Note delivery benchmark: 1,000 linked conversations, the real API and worker processes (tsx), the
 * Intercom sandbox in this process (it records every call with its time). Run with `pnpm bench:notes`;
 * needs Redis at REDIS_URL (default redis://127.0.0.1:6379).
 *
 * Phase 1, realistic: every user clicks about once every BENCH_CLICK_EVERY_S (default 10) seconds,
 * one event per capture request, for BENCH_DURATION_S (default 20): event→note latency p50/p99, from
 * the moment the capture request was sent to the moment the sandbox answered the note's post.
 * Phase 2, a steady BENCH_MAX_RATE events/s (default 10,000) in batches of 50 events (50 users each),
 * sent on a fixed schedule over 64 connections for BENCH_DURATION_S: events/s accepted, Intercom calls
 * per action, peak calls per 10 s. BENCH_CPU_PROFILE_DIR: CPU profiles of the API and the worker.
 */
import { randomBytes } from 'node:crypto';
import { createIntercomSandbox } from '@threadline/intercom-sandbox';
import { freePort } from '@threadline/test-helpers';
import { Redis } from 'ioredis';
import { startService, waitForOutput, waitForReady } from '../e2e/src/processes.js';
import { runOpenLoop } from './open-loop.js';
import { reportFigures } from './report.js';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const durationMs = Number(process.env.BENCH_DURATION_S ?? 20) * 1000;
const clickEveryMs = Number(process.env.BENCH_CLICK_EVERY_S ?? 10) * 1000;
const userCount = Number(process.env.BENCH_USERS ?? 1000);
const maxRate = Number(process.env.BENCH_MAX_RATE ?? 10_000);
const coalesceMs = Number(process.env.NOTE_COALESCE_MS ?? 2000);
const captureKey = 'phc_bench_notes';
const clientSecret = 'bench_client_secret';
const token = 'bench-sandbox-token';
const prefix = `tl-bench-notes-${randomBytes(3).toString('hex')}`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (sorted: number[], p: number) =>
  sorted.length === 0
    ? Number.NaN
    : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

const sandbox = await createIntercomSandbox({ token });
const sandboxUrl = await sandbox.listen({ port: 0, host: '127.0.0.1' });
const port = await freePort();
const apiUrl = `http://127.0.0.1:${port}`;
const env: Record<string, string> = {
  REDIS_URL: redisUrl,
  THREADLINE_PREFIX: prefix,
  CAPTURE_API_KEY: captureKey,
  // The load generator stands for many clients on one address: the per-IP limits are lifted so they
  // never refuse, while their Redis calls still run on every request.
  CAPTURE_IP_EVENTS_PER_MINUTE: '10000000',
  CAPTURE_IP_NEW_USERS_PER_HOUR: '10000000',
  CAPTURE_MAX_USERS_PER_REQUEST: '1000',
  INTERCOM_ACCESS_TOKEN: token,
  INTERCOM_CLIENT_SECRET: clientSecret,
  INTERCOM_API_BASE_URL: sandboxUrl,
  LOG_LEVEL: 'error',
  NOTE_COALESCE_MS: String(coalesceMs),
  SUMMARIZE_AFTER_NOTES: '1000',
  ...Object.fromEntries(
    ['NOTE_MAX_WAIT_MS', 'NOTE_MAX_ACTIONS', 'WORKER_CONCURRENCY'].flatMap((name) =>
      process.env[name] ? [[name, process.env[name]!]] : [],
    ),
  ),
};
// BENCH_CPU_PROFILE_DIR: the API and the worker write V8 CPU profiles there when they stop.
const profiling = process.env.BENCH_CPU_PROFILE_DIR
  ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE_DIR}`]
  : [];
const api = startService('api', { ...env, HOST: '127.0.0.1', PORT: String(port) }, profiling);
const worker = startService('worker', { ...env, LOG_LEVEL: 'info' }, profiling);
// If this script fails half-way, the API and the worker must not stay behind, polling Redis.
process.once('exit', () => {
  api.child.kill('SIGKILL');
  worker.child.kill('SIGKILL');
});
await Promise.all([waitForReady(`${apiUrl}/readyz`, api), waitForOutput(worker, /worker started/)]);

const users = Array.from({ length: userCount }, (_, index) => `bench_user_${index}`);
const conversationOf = new Map<string, string>();
const userOf = new Map<string, string>();
/** Send time of each user's n-th action (1-based), for the latency phase. */
const sentAt = new Map<string, number[]>();
let stepCounter = 0;

function event(userId: string) {
  stepCounter += 1;
  return {
    event: '$autocapture',
    distinct_id: userId,
    timestamp: new Date().toISOString(),
    properties: {
      $session_id: 'bench',
      $event_type: 'click',
      $pathname: '/board',
      $current_url: 'https://app.example.com/board',
      $elements_chain: `button.btn:text="Card ${stepCounter % 97}"nth-child="1"nth-of-type="1"`,
    },
  };
}

async function capture(batch: unknown[]): Promise<number> {
  const response = await fetch(`${apiUrl}/batch/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ api_key: captureKey, batch, sent_at: new Date().toISOString() }),
  });
  await response.arrayBuffer();
  return response.status;
}

const linesOf = (conversationId: string) =>
  sandbox
    .notes(conversationId)
    .reduce((sum, note) => sum + [...note.body.matchAll(/<p>\[(\d+)\] /g)].length, 0);

async function waitForAllLines(expected: (userId: string) => number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (users.every((userId) => linesOf(conversationOf.get(userId)!) >= expected(userId))) return true;
    await sleep(250);
  }
  return false;
}

// --- Set up: one action and one linked conversation per user (the pre-chat note).
process.stdout.write(`linking ${userCount} conversations… `);
for (let index = 0; index < users.length; index += 50) {
  const chunk = users.slice(index, index + 50);
  await capture(chunk.map((userId) => event(userId)));
}
for (let index = 0; index < users.length; index += 20) {
  await Promise.all(
    users.slice(index, index + 20).map(async (userId) => {
      const opened = await fetch(`${sandboxUrl}/_sandbox/conversations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          external_id: userId,
          webhook: { url: `${apiUrl}/webhooks/intercom`, clientSecret },
        }),
      });
      const { conversation } = (await opened.json()) as { conversation: { id: string } };
      conversationOf.set(userId, conversation.id);
      userOf.set(conversation.id, userId);
      sentAt.set(userId, [0]);
    }),
  );
}
if (!(await waitForAllLines(() => 1, 120_000)))
  throw new Error(`linking did not finish:\n${worker.output()}`);
console.log('done');
await sleep(11_000); // a fresh rate-limit window

// --- Phase 1: realistic click rates, latency.
const phase1Start = Date.now();
// A Poisson process per user from the start (the first gap is exponential too), so the rate is
// userCount / BENCH_CLICK_EVERY_S from the first second.
const clickGap = () => -Math.log(1 - Math.random()) * clickEveryMs;
const nextClick = new Map(users.map((userId) => [userId, phase1Start + clickGap()]));
let phase1Events = 0;
const inFlight = new Set<Promise<unknown>>();
while (Date.now() - phase1Start < durationMs) {
  const now = Date.now();
  for (const userId of users) {
    if (nextClick.get(userId)! > now) continue;
    nextClick.set(userId, nextClick.get(userId)! + clickGap());
    sentAt.get(userId)!.push(Date.now());
    phase1Events += 1;
    const sending = capture([event(userId)]);
    inFlight.add(sending);
    void sending.finally(() => inFlight.delete(sending));
  }
  await sleep(5);
}
await Promise.all(inFlight);
const phase1Delivered = await waitForAllLines((userId) => sentAt.get(userId)!.length, 120_000);
const phase1End = Date.now();

const latencies: number[] = [];
const linesSeen = new Map<string, number>();
const requests = sandbox.requests();
for (const request of requests) {
  if (request.method !== 'POST' || request.status !== 200 || !request.path.endsWith('/reply')) continue;
  const conversationId = request.path.split('/')[2]!;
  const userId = userOf.get(conversationId);
  const body = (request.body as { body?: string } | null)?.body ?? '';
  if (!userId) continue;
  for (const match of body.matchAll(/<p>\[(\d+)\] /g)) {
    const number = Number(match[1]);
    linesSeen.set(conversationId, Math.max(linesSeen.get(conversationId) ?? 0, number));
    const sent = sentAt.get(userId)![number - 1];
    if (sent) latencies.push(request.at - sent);
  }
}
latencies.sort((a, b) => a - b);

function callsBetween(from: number, to: number) {
  const calls = sandbox.requests().filter((request) => request.at >= from && request.at <= to);
  const perWindow = new Map<number, number>();
  for (const call of calls) {
    const window = Math.floor(call.at / 10_000);
    perWindow.set(window, (perWindow.get(window) ?? 0) + 1);
  }
  return {
    calls: calls.length,
    rateLimited: calls.filter((call) => call.status === 429).length,
    peakPer10s: Math.max(0, ...perWindow.values()),
  };
}
const phase1Calls = callsBetween(phase1Start, phase1End);

await sleep(11_000);

// --- Phase 2: a steady BENCH_MAX_RATE events/s (default 10,000), batches of 50 users, sent on a
// fixed schedule whatever the answers take (open loop), so the rate is the offered one.
const phase2Start = Date.now();
let cursor = 0;
const expected = new Map(users.map((userId) => [userId, sentAt.get(userId)!.length]));
const phase2 = await runOpenLoop({
  origin: apiUrl,
  rate: maxRate / 50,
  durationSeconds: durationMs / 1000,
  connections: 64,
  nextRequest: () => {
    const chunk = Array.from({ length: 50 }, () => users[cursor++ % users.length]!);
    for (const userId of chunk) expected.set(userId, expected.get(userId)! + 1);
    const body = JSON.stringify({
      api_key: captureKey,
      batch: chunk.map((userId) => event(userId)),
      sent_at: new Date().toISOString(),
    });
    return { path: '/batch/', body, headers: { 'content-type': 'application/json' } };
  },
});
const phase2Events = phase2.ok * 50;
const phase2Errors = phase2.failed;
const achievedRate = Math.round(phase2Events / phase2.elapsedSeconds);
const phase2SendEnd = Date.now();
const phase2Delivered = await waitForAllLines((userId) => expected.get(userId)!, 180_000);
const phase2End = Date.now();
const phase2Calls = callsBetween(phase2Start, phase2End);

const budget = Math.floor(1666 * 0.9);
console.log(`\nnproc ${(await import('node:os')).availableParallelism()}, node ${process.version}`);
console.log(
  `settings: ${userCount} conversations, NOTE_COALESCE_MS ${coalesceMs}, NOTE_MAX_WAIT_MS ${env.NOTE_MAX_WAIT_MS ?? 'default'}, NOTE_MAX_ACTIONS ${env.NOTE_MAX_ACTIONS ?? 'default'}`,
);
console.table([
  {
    phase: `realistic (1 click / ${clickEveryMs / 1000} s / user)`,
    'events/s': Math.round(phase1Events / (durationMs / 1000)),
    'p50 ms': percentile(latencies, 50),
    'p99 ms': percentile(latencies, 99),
    'calls/action': (phase1Calls.calls / phase1Events).toFixed(3),
    'peak calls/10 s': `${phase1Calls.peakPer10s} / ${budget}`,
    '429s': phase1Calls.rateLimited,
    'all delivered': phase1Delivered,
  },
  {
    phase: `steady ${maxRate} events/s (batches of 50)`,
    'events/s': `${achievedRate} of ${maxRate}`,
    'p50 ms': '-',
    'p99 ms': '-',
    'calls/action': (phase2Calls.calls / phase2Events).toFixed(3),
    'peak calls/10 s': `${phase2Calls.peakPer10s} / ${budget}`,
    '429s': phase2Calls.rateLimited,
    'all delivered': `${phase2Delivered} (after ${((phase2End - phase2SendEnd) / 1000).toFixed(1)} s)`,
  },
]);
if (phase2Errors > 0) console.log(`capture errors in phase 2: ${phase2Errors}`);
console.log(
  `phase 2 capture requests: p50 ${phase2.latencyMs.p50} ms, p99 ${phase2.latencyMs.p99} ms, max ${phase2.latencyMs.max} ms (from each request's due time)`,
);
console.log(`goal: p50 ≤ ${coalesceMs + 300} ms, p99 ≤ ${coalesceMs + 1500} ms, calls/action ≤ 0.05`);
const p50 = percentile(latencies, 50);
const p99 = percentile(latencies, 99);
const callsPerAction = phase2Calls.calls / phase2Events;
reportFigures([
  {
    benchmark: 'notes',
    name: 'event→note p50 (1 click/10 s/user)',
    value: p50,
    unit: 'ms',
    goal: `≤ ${coalesceMs + 300}`,
    met: p50 <= coalesceMs + 300,
  },
  {
    benchmark: 'notes',
    name: 'event→note p99 (1 click/10 s/user)',
    value: p99,
    unit: 'ms',
    goal: `≤ ${coalesceMs + 1500}`,
    met: p99 <= coalesceMs + 1500,
  },
  {
    benchmark: 'notes',
    name: `Intercom calls per action at ${achievedRate} events/s (offered ${maxRate})`,
    value: Number(callsPerAction.toFixed(3)),
    unit: '',
    goal: '≤ 0.05 (at 10k/s)',
    met: callsPerAction <= 0.05 && achievedRate >= 0.98 * maxRate && phase2Delivered,
  },
  {
    benchmark: 'notes',
    name: 'peak Intercom calls per 10 s (budget 1,666)',
    value: Math.max(phase1Calls.peakPer10s, phase2Calls.peakPer10s),
    unit: '',
    goal: '< 1,666',
    met: Math.max(phase1Calls.peakPer10s, phase2Calls.peakPer10s) < 1666,
  },
]);

await Promise.all([api.stop(), worker.stop()]);
await sandbox.close();
const redis = new Redis(redisUrl);
for (const pattern of [`${prefix}:*`, `{${prefix}*`]) {
  let scan = '0';
  do {
    const [next, keys] = await redis.scan(scan, 'MATCH', pattern, 'COUNT', 1000);
    scan = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (scan !== '0');
}
redis.disconnect();
