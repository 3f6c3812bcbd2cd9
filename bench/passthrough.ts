/**
 * PostHog passthrough benchmark (`pnpm bench:passthrough`): what Threadline in front of PostHog costs.
 * Five processes: a PostHog stand-in, the proxy library alone (@fastify/reply-from, no copy), the
 * real API with POSTHOG_UPSTREAM (forwarding, and spooling a copy to Redis), a worker recording the
 * spooled copies as a deployment runs it, and this load generator.
 *
 * 1. Added latency: posthog-js-shaped batches (gzip, `/e/?compression=gzip-js`) at a steady
 *    BENCH_PASSTHROUGH_RATE (default 1,000) requests/s for BENCH_DURATION_S (default 10), straight to
 *    the stand-in, through the proxy alone and through Threadline; p50/p99 of each, same run.
 * 2. Throughput: as many requests as BENCH_CONNECTIONS (default 32) connections get through, the
 *    teeing proxy against the proxy alone.
 * 3. Drain: how long the worker took, after the last request, to record every spooled copy.
 * BENCH_WORKER_NICE runs the worker at that niceness; BENCH_PASSTHROUGH_WORKER=0 starts it only after
 * the load (a diagnostic: the API's own cost, without the worker's CPU on the same cores).
 * Needs Redis at REDIS_URL (default redis://127.0.0.1:6379).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { loadavg, setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { RedisCaptureSpool, RedisKeys } from '@threadline/redis-store';
import { deleteKeysWithPrefix, uniquePrefix } from '@threadline/test-helpers';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { startApiProcess } from './api-process.js';
import { type OpenLoopResult, runOpenLoop } from './open-loop.js';
import { reportFigures } from './report.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const durationSeconds = Number(process.env.BENCH_DURATION_S ?? 10);
const rate = Number(process.env.BENCH_PASSTHROUGH_RATE ?? 1000);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
/** BENCH_WORKER_NICE: the worker's niceness (0: as the API), as `nice -n` would start it beside the API. */
const workerNice = Number(process.env.BENCH_WORKER_NICE ?? 0);
/** BENCH_PASSTHROUGH_WORKER=0: no worker during the load (diagnostic: the API's own cost; the spool drains after). */
const isWorkerDuringLoad = process.env.BENCH_PASSTHROUGH_WORKER !== '0';
const apiKey = 'phc_bench_passthrough';
const capturePath = '/e/?compression=gzip-js&ip=0&ver=1.434.18';

/** One posthog-js flush: a few events of one visitor, gzip-compressed, as 1.434 posts them. */
function posthogJsBatch(index: number): Uint8Array {
  const userId = `bench-user-${index % 2000}`;
  const page = ['/pricing', '/billing', '/settings/team', '/checkout'][index % 4] ?? '/';
  const properties = {
    $os: 'Mac OS X',
    $browser: 'Chrome',
    $browser_version: 126,
    $device_type: 'Desktop',
    $current_url: `https://app.acme.io${page}`,
    $host: 'app.acme.io',
    $pathname: page,
    $lib: 'web',
    $lib_version: '1.434.18',
    $session_id: '01a1fd77-7f45-7524-92e3-69930e3a4b1c',
    $window_id: '01a1fd77-7f45-7524-92e3-6994ad1f6c3e',
    $is_identified: true,
    distinct_id: userId,
    token: apiKey,
  };
  const events = [
    { uuid: randomUUID(), event: '$pageview', properties: { ...properties, title: 'Acme' } },
    {
      uuid: randomUUID(),
      event: '$autocapture',
      properties: {
        ...properties,
        $event_type: 'click',
        $elements_chain: 'button.btn.btn-primary:text="Upgrade plan"nth-child="2"nth-of-type="1"',
      },
    },
    { uuid: randomUUID(), event: '$pageleave', properties },
  ].map((event) => ({ ...event, timestamp: new Date().toISOString() }));
  return gzipSync(JSON.stringify(events));
}

const bodies = Array.from({ length: Math.max(rate * durationSeconds, 5000) }, (_, index) =>
  posthogJsBatch(index),
);
let next = 0;
const nextBody = () => {
  next = (next + 1) % bodies.length;
  return bodies[next] as Uint8Array;
};
const headers = { 'content-type': 'text/plain' };

function startTarget(args: string[]): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'apps/api/test/passthrough-bench-targets.ts', ...args],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    child.stdout?.once('data', (chunk: Buffer) => resolve({ url: chunk.toString().trim(), child }));
    child.once('exit', (code) => reject(new Error(`bench target ${args[0]} exited with ${code}`)));
  });
}

const openLoop = (origin: string): Promise<OpenLoopResult> =>
  runOpenLoop({
    origin,
    rate,
    durationSeconds,
    connections,
    nextRequest: () => ({ path: capturePath, body: nextBody(), headers }),
  });

async function throughput(url: string): Promise<number> {
  const result = await autocannon({
    url: `${url}${capturePath}`,
    connections,
    duration: durationSeconds,
    requests: [
      { method: 'POST', headers, setupRequest: (request) => ({ ...request, body: Buffer.from(nextBody()) }) },
    ],
  });
  if (result.non2xx > 0 || result.errors > 0)
    console.warn(`  ${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return result.requests.average;
}

/** The worker as a deployment runs it: it records the copies the API spools. */
function startWorker(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/worker/src/main.ts'], {
    cwd: root,
    env: { ...process.env, THREADLINE_ENV_FILE: 'none', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (workerNice !== 0 && child.pid !== undefined) setPriority(child.pid, workerNice);
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('worker started')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`the worker exited with ${code}`)));
  });
}

const prefix = uniquePrefix('bench-passthrough');
const upstream = await startTarget(['upstream']);
const proxy = await startTarget(['proxy', upstream.url]);
const redis = new Redis(redisUrl);
const spool = new RedisCaptureSpool(redis, new RedisKeys(prefix));
let api: Awaited<ReturnType<typeof startApiProcess>> | undefined;
let worker: ChildProcess | undefined;
try {
  const env = {
    CAPTURE_API_KEY: apiKey,
    POSTHOG_UPSTREAM: upstream.url,
    REDIS_URL: redisUrl,
    THREADLINE_PREFIX: prefix,
    LOG_LEVEL: 'warn',
    // The generator stands for many visitors on one address: the per-IP limits must not refuse.
    CAPTURE_IP_EVENTS_PER_MINUTE: '10000000',
    CAPTURE_IP_NEW_USERS_PER_HOUR: '10000000',
  };
  api = await startApiProcess(env);
  const workerEnv = {
    ...env,
    LOG_LEVEL: 'info',
    // No Intercom call is made: nothing links a conversation in this benchmark.
    INTERCOM_ACCESS_TOKEN: 'bench_token',
    INTERCOM_CLIENT_SECRET: 'bench_client_secret',
    INTERCOM_API_BASE_URL: 'http://127.0.0.1:9',
  };
  if (isWorkerDuringLoad) worker = await startWorker(workerEnv);
  console.log(
    `load ${loadavg()[0]?.toFixed(2)} before; ${rate} req/s for ${durationSeconds} s each, ${connections} connections; worker ${isWorkerDuringLoad ? `running, nice ${workerNice}` : 'started after the load'}`,
  );
  // Warm every path (JIT, pools) before measuring.
  for (const origin of [upstream.url, proxy.url, api.url]) await throughput(origin).catch(() => 0);
  const direct = await openLoop(upstream.url);
  const bare = await openLoop(proxy.url);
  const teeing = await openLoop(api.url);
  const bareThroughput = await throughput(proxy.url);
  const teeingThroughput = await throughput(api.url);
  const loadEnded = Date.now();
  const atEnd = await spool.backlog();
  worker ??= await startWorker(workerEnv);
  let backlog = atEnd;
  while (backlog.waiting + backlog.inFlight > 0 && Date.now() - loadEnded < 300_000) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    backlog = await spool.backlog();
  }
  const drainSeconds = Math.round((Date.now() - loadEnded) / 100) / 10;

  const rows: [string, OpenLoopResult][] = [
    ['straight to the stand-in', direct],
    ['through @fastify/reply-from alone', bare],
    ['through Threadline (forward + copy)', teeing],
  ];
  console.log(`\n| ${rate} req/s of posthog-js batches | p50 ms | p99 ms | p99.9 ms | ok | failed |`);
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const [name, result] of rows) {
    console.log(
      `| ${name} | ${result.latencyMs.p50} | ${result.latencyMs.p99} | ${result.latencyMs.p999} | ${result.ok} | ${result.failed} |`,
    );
  }
  const addedP50 = Math.round((teeing.latencyMs.p50 - direct.latencyMs.p50) * 100) / 100;
  const addedP99 = Math.round((teeing.latencyMs.p99 - direct.latencyMs.p99) * 100) / 100;
  const ratio = Math.round((teeingThroughput / bareThroughput) * 100) / 100;
  console.log(`\nadded by Threadline: p50 ${addedP50} ms, p99 ${addedP99} ms`);
  console.log(
    `throughput: Threadline ${Math.round(teeingThroughput)} req/s, reply-from alone ${Math.round(bareThroughput)} req/s: ${ratio}×`,
  );
  console.log(
    `spool: ${atEnd.waiting + atEnd.inFlight} copies waiting when the load ended; the worker recorded the rest in ${drainSeconds} s`,
  );
  console.log(`load ${loadavg()[0]?.toFixed(2)} after`);
  reportFigures([
    { benchmark: 'passthrough', name: `added latency p50 at ${rate} req/s`, value: addedP50, unit: 'ms' },
    {
      benchmark: 'passthrough',
      name: `added latency p99 at ${rate} req/s`,
      value: addedP99,
      unit: 'ms',
      goal: '≤ 5',
      met: addedP99 <= 5,
    },
    {
      benchmark: 'passthrough',
      name: 'throughput, teeing proxy / proxy library alone',
      value: ratio,
      unit: '×',
      goal: '≥ 0.7',
      met: ratio >= 0.7,
    },
    { benchmark: 'passthrough', name: 'spool drained after the load', value: drainSeconds, unit: 's' },
  ]);
} finally {
  await api?.stop();
  worker?.kill();
  redis.disconnect();
  proxy.child.kill();
  upstream.child.kill();
  await deleteKeysWithPrefix(redisUrl, prefix);
}
