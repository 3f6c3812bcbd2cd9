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
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { Pool } from 'undici';
import { deletePrefix } from '../apps/api/test/capture-bench-targets.js';
import { startApiProcess } from './api-process.js';
import { runOpenLoop } from './open-loop.js';
import { reportFigures } from './report.js';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const durationSeconds = Number(process.env.BENCH_DURATION_S ?? 20);
const normalRate = 100;
const hostileConcurrency = 8;
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

/** Floods until `signal` aborts: `hostileConcurrency` requests in flight at all times. */
async function flood(url: string, body: Buffer, addressOf: (index: number) => string, signal: AbortSignal) {
  const pool = new Pool(url, { connections: hostileConcurrency });
  const statuses = new Map<number, number>();
  let index = 0;
  const lane = async () => {
    while (!signal.aborted) {
      index += 1;
      try {
        const response = await pool.request({
          method: 'POST',
          path: '/batch/',
          headers: { 'content-type': 'text/plain', 'x-forwarded-for': addressOf(index) },
          body,
        });
        await response.body.dump();
        statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
      } catch {
        statuses.set(0, (statuses.get(0) ?? 0) + 1);
      }
    }
  };
  await Promise.all(Array.from({ length: hostileConcurrency }, lane));
  await pool.close();
  return statuses;
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

async function phaseWithFlood(url: string, addressOf: (index: number) => string) {
  const body = hostileBody();
  await eventLoopP99Ms(url); // resets the API's event-loop histogram
  const stop = new AbortController();
  const flooding = flood(url, body, addressOf, stop.signal);
  const normal = await normalPhase(url);
  const loopP99 = await eventLoopP99Ms(url);
  stop.abort();
  const statuses = await flooding;
  return { normal, loopP99, statuses, hostileBodyBytes: body.length };
}

const api = await startApiProcess({
  REDIS_URL: redisUrl,
  THREADLINE_PREFIX: prefix,
  CAPTURE_API_KEY: apiKey,
  TRUST_PROXY: '127.0.0.1',
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
  const oneClient = await phaseWithFlood(api.url, () => '203.0.113.66');
  const manyClients = await phaseWithFlood(
    api.url,
    (index) => `198.${18 + ((index >> 16) & 1)}.${(index >> 8) & 255}.${index & 255}`,
  );

  const ratio = Math.round((oneClient.normal.latencyMs.p99 / quiet.latencyMs.p99) * 100) / 100;
  const manyRatio = Math.round((manyClients.normal.latencyMs.p99 / quiet.latencyMs.p99) * 100) / 100;
  const statusText = (statuses: Map<number, number>) =>
    [...statuses].map(([status, count]) => `${status}: ${count}`).join(', ');
  console.log(
    `\nHostile batch: 1,000 events, ${oneClient.hostileBodyBytes} bytes gzip; normal client ${normalRate} req/s of 3 events for ${durationSeconds} s`,
  );
  console.log(
    '| phase | normal p50 ms | normal p99 ms | normal max ms | normal ok | API event-loop p99 ms | hostile answers |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  console.log(
    `| quiet | ${quiet.latencyMs.p50} | ${quiet.latencyMs.p99} | ${quiet.latencyMs.max} | ${quiet.ok}/${quiet.sent} | ${quietLoopP99} | |`,
  );
  for (const [label, phase] of [
    ['flood from one client', oneClient],
    ['flood from a new address each request', manyClients],
  ] as const) {
    console.log(
      `| ${label} | ${phase.normal.latencyMs.p50} | ${phase.normal.latencyMs.p99} | ${phase.normal.latencyMs.max} | ${phase.normal.ok}/${phase.normal.sent} | ${phase.loopP99} | ${statusText(phase.statuses)} |`,
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
