/**
 * Capture under a hostile flood: does one client sending the worst batches it can make slow down
 * everyone else? The real API process (TRUST_PROXY=127.0.0.1, so each simulated client has its own
 * X-Forwarded-For address, as behind a load balancer) serves a normal client at a steady rate, first
 * alone, then while a hostile client floods it with gzip batches of 1,000 events whose strings are
 * what made the old redaction patterns backtrack (runs of `eyJ-`, `a-` before an `@`, `=`, digits).
 *
 * Figures: the normal client's p99 alone and during the flood (goal: within 2×), the API's event-loop
 * delay p99 during the flood (from its /metrics), and the same flood sent from a new address each
 * request (a botnet: the per-IP limits never apply, only the CPU budget and the sliced describer).
 * Run with `pnpm bench:hostile`; needs Redis at REDIS_URL. BENCH_DURATION_S (default 20) per phase.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { deletePrefix } from '../apps/api/test/capture-bench-targets.js';
import { startApiProcess } from './api-process.js';
import { type OpenLoopResult, runOpenLoop } from './open-loop.js';
import { reportFigures } from './report.js';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const durationSeconds = Number(process.env.BENCH_DURATION_S ?? 20);
const normalRate = 100;
const hostileConcurrency = 8;
/** Hostile batches a second: from one address, and from a new address each (a botnet, no limit applies). */
const oneClientRate = Number(process.env.BENCH_HOSTILE_RATE ?? 1000);
const botnetRate = 20;
const apiKey = 'phc_bench_hostile';
const prefix = `bench-hostile-${randomUUID().slice(0, 8)}`;

function normalBody(index: number): string {
  const userId = `normal-user-${index % 200}`;
  const page = ['/pricing', '/billing', '/settings'][index % 3];
  return JSON.stringify({
    api_key: apiKey,
    batch: Array.from({ length: 3 }, (_, step) => ({
      uuid: randomUUID(),
      event: step === 0 ? '$pageview' : '$autocapture',
      timestamp: new Date().toISOString(),
      properties: {
        distinct_id: userId,
        $current_url: `https://app.acme.io${page}?utm_source=newsletter`,
        $pathname: page,
        $session_id: `session-${index % 200}`,
        $event_type: 'click',
        $elements_chain: `button.btn:nth-child="1"text="Upgrade plan ${step}"`,
        title: 'Acme',
      },
    })),
  });
}

/** What the security review found slow: long runs that made the JWT and email patterns backtrack. */
const hostileStrings = [
  `https://app.acme.io/${'eyJ-'.repeat(1000)}`,
  `https://app.acme.io/?q=${'a-'.repeat(2000)}@`,
  `https://app.acme.io/${'='.repeat(4000)}`,
  `https://app.acme.io/${'1 '.repeat(2000)}`,
  `https://app.acme.io/${'eyJhbGciOi.'.repeat(360)}`,
];

function hostileBody(): Buffer {
  const batch = Array.from({ length: 1000 }, (_, index) => {
    const text = hostileStrings[index % hostileStrings.length] as string;
    return {
      uuid: randomUUID(),
      event: index % 2 === 0 ? '$pageview' : '$exception',
      timestamp: new Date().toISOString(),
      properties: {
        // Under the 5 MiB decoded limit (a bigger body is refused before it is described).
        distinct_id: `hostile-${index % 50}`,
        $current_url: text,
        $exception_message: text.slice(0, 300),
      },
    };
  });
  return gzipSync(JSON.stringify({ api_key: apiKey, batch }));
}

async function eventLoopP99Ms(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const match = /^threadline_nodejs_eventloop_lag_p99_seconds(?:\{[^}]*\})? ([\d.e+-]+)$/m.exec(text);
  return match ? Math.round(Number(match[1]) * 100_000) / 100 : Number.NaN;
}

/**
 * The hostile client at a steady rate (open loop, as the normal one): a rate far above any real client
 * (1,000 batches of 1,000 events a second from one address), but a fixed one, so the figure is about
 * what each hostile request costs the API rather than how fast a load generator on the same two cores
 * can spin.
 */
function flood(url: string, body: Buffer, rate: number, addressOf: (index: number) => string) {
  let index = 0;
  return runOpenLoop({
    origin: url,
    rate,
    durationSeconds,
    connections: hostileConcurrency,
    nextRequest: () => {
      index += 1;
      return {
        path: '/batch/',
        body,
        headers: { 'content-type': 'text/plain', 'x-forwarded-for': addressOf(index) },
      };
    },
  });
}

async function normalPhase(url: string) {
  let index = 0;
  return runOpenLoop({
    origin: url,
    rate: normalRate,
    durationSeconds,
    connections: 5,
    nextRequest: () => {
      index += 1;
      return {
        path: '/batch/',
        body: normalBody(index),
        headers: { 'content-type': 'application/json', 'x-forwarded-for': `198.51.100.${(index % 200) + 1}` },
      };
    },
  });
}

const oneClientAddress = () => '203.0.113.66';
const botnetAddress = (index: number) =>
  `198.${18 + ((index >> 16) & 1)}.${(index >> 8) & 255}.${index & 255}`;

/**
 * The hostile client runs in a process of its own (`--flood`): sending 45 MB/s from the normal
 * client's process would delay the normal client's own sends and count that as latency.
 */
function startFlood(url: string, kind: 'one-client' | 'botnet') {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), '--flood', url, kind],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: process.env,
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  return new Promise<OpenLoopResult & { bodyBytes: number }>((resolve, reject) => {
    child.once('exit', (code) => {
      const line = output.split('\n').find((candidate) => candidate.startsWith('{'));
      if (code === 0 && line) resolve(JSON.parse(line));
      else reject(new Error(`the flood process exited with ${code}`));
    });
  });
}

async function phaseWithFlood(url: string, kind: 'one-client' | 'botnet') {
  await eventLoopP99Ms(url); // resets the API's event-loop histogram
  const [normal, hostile] = await Promise.all([normalPhase(url), startFlood(url, kind)]);
  const loopP99 = await eventLoopP99Ms(url);
  return {
    normal,
    loopP99,
    hostile,
    hostileBodyBytes: hostile.bodyBytes,
    rate: kind === 'one-client' ? oneClientRate : botnetRate,
  };
}

if (process.argv[2] === '--flood') {
  const [url, kind] = [process.argv[3] as string, process.argv[4]];
  const body = hostileBody();
  const result = await flood(
    url,
    body,
    kind === 'botnet' ? botnetRate : oneClientRate,
    kind === 'botnet' ? botnetAddress : oneClientAddress,
  );
  process.stdout.write(`${JSON.stringify({ ...result, bodyBytes: body.length })}\n`);
  process.exit(0);
}

const api = await startApiProcess({
  REDIS_URL: redisUrl,
  THREADLINE_PREFIX: prefix,
  CAPTURE_API_KEY: apiKey,
  TRUST_PROXY: '127.0.0.1',
  ...(process.env.CAPTURE_IP_EVENTS_PER_MINUTE
    ? { CAPTURE_IP_EVENTS_PER_MINUTE: process.env.CAPTURE_IP_EVENTS_PER_MINUTE }
    : {}),
  LOG_LEVEL: 'warn',
});
try {
  // Warm up (JIT, Redis scripts), then measure the normal client alone.
  for (let index = 0; index < 200; index++) {
    await fetch(`${api.url}/batch/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '192.0.2.1' },
      body: normalBody(index),
    });
  }
  await eventLoopP99Ms(api.url);
  const quiet = await normalPhase(api.url);
  const quietLoopP99 = await eventLoopP99Ms(api.url);
  const oneClient = await phaseWithFlood(api.url, 'one-client');
  const manyClients = await phaseWithFlood(api.url, 'botnet');

  const ratio = Math.round((oneClient.normal.latencyMs.p99 / quiet.latencyMs.p99) * 100) / 100;
  const manyRatio = Math.round((manyClients.normal.latencyMs.p99 / quiet.latencyMs.p99) * 100) / 100;
  const statusText = (phase: typeof oneClient) =>
    `${phase.rate}/s offered: ${phase.hostile.ok} stored, ${phase.hostile.failed} refused`;
  console.log(
    `\nHostile batch: 1,000 events, ${oneClient.hostileBodyBytes} bytes gzip; normal client ${normalRate} req/s of 3 events for ${durationSeconds} s`,
  );
  console.log(
    '| phase | normal p50 ms | normal p99 ms | normal max ms | normal ok | API event-loop p99 ms | hostile answers |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  console.log(
    `| quiet | ${quiet.latencyMs.p50} | ${quiet.latencyMs.p99} | ${quiet.latencyMs.max} | ${quiet.ok}/${quiet.sent} | ${quietLoopP99} | (normal sender lag p99 ${quiet.sendLagP99Ms} ms) |`,
  );
  for (const [label, phase] of [
    ['flood from one client', oneClient],
    ['flood from a new address each request', manyClients],
  ] as const) {
    console.log(
      `| ${label} | ${phase.normal.latencyMs.p50} | ${phase.normal.latencyMs.p99} | ${phase.normal.latencyMs.max} | ${phase.normal.ok}/${phase.normal.sent} | ${phase.loopP99} | ${statusText(phase)} (sender lag p99 ${phase.hostile.sendLagP99Ms} ms) |`,
    );
  }
  console.log(
    `\nnormal p99 during the one-client flood / quiet: ${ratio}× (goal ≤ 2×); botnet flood: ${manyRatio}×`,
  );
  reportFigures([
    { benchmark: 'hostile', name: 'normal client p99, quiet', value: quiet.latencyMs.p99, unit: 'ms' },
    {
      benchmark: 'hostile',
      name: 'normal client p99 during a one-client hostile flood / quiet',
      value: ratio,
      unit: '×',
      goal: '≤ 2',
      met: ratio <= 2,
    },
    {
      benchmark: 'hostile',
      name: 'API event-loop delay p99 during the flood',
      value: oneClient.loopP99,
      unit: 'ms',
    },
    {
      benchmark: 'hostile',
      name: 'normal client p99 during a flood from a new address each request / quiet',
      value: manyRatio,
      unit: '×',
    },
  ]);
} finally {
  await api.stop();
  await deletePrefix(redisUrl, prefix);
}
