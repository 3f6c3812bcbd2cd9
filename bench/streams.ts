/**
 * Activity for other consumers: action → SSE event latency over many streams, and action → push
 * delivery latency. The real API process holds BENCH_STREAMS (default 100) streams of one product
 * while actions are written to the product's feed at a steady BENCH_RATE (default 1,000/s) for
 * BENCH_DURATION_S (default 20); each action carries its write time, and each stream's client
 * measures when it arrives (every stream gets every action: 100,000 events/s by default). Then a real
 * worker process pushes the same rate to a local receiver (default batches: 100 actions or 1 s).
 * Run with `pnpm bench:streams`; needs Redis at REDIS_URL.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, request } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { RedisKeys, RedisProductFeed, RedisSubscriptionStore } from '@threadline/redis-store';
import { deleteKeysWithPrefix } from '@threadline/test-helpers';
import * as hdr from 'hdr-histogram-js';
import { Redis } from 'ioredis';
import { startApiProcess } from './api-process.js';
import { reportFigures } from './report.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const rate = Number(process.env.BENCH_RATE ?? 1000);
const streams = Number(process.env.BENCH_STREAMS ?? 100);
const durationSeconds = Number(process.env.BENCH_DURATION_S ?? 20);
const prefix = `bench-streams-${randomUUID().slice(0, 8)}`;
const key = 'bench_stream_key_0123456789';
const productId = 'bench';
const tickMs = 10;

const histogram = () =>
  hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000, numberOfSignificantValueDigits: 3 });

/** Writes `rate` actions a second to the feed, `rate * tickMs / 1000` per tick, each `t=<write time>`. */
async function writeSteadily(feed: RedisProductFeed, seconds: number, tag: string): Promise<number> {
  const perTick = Math.max(1, Math.round((rate * tickMs) / 1000));
  const ticks = Math.round((seconds * 1000) / tickMs);
  const start = performance.now();
  let written = 0;
  for (let tick = 0; tick < ticks; tick += 1) {
    const due = start + tick * tickMs;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const at = new Date().toISOString();
    const sentAt = Date.now();
    await feed.append(
      productId,
      Array.from({ length: perTick }, (_, index) => ({
        userId: `user_${(written + index) % 500}`,
        action: {
          at,
          type: 'click' as const,
          description: `Clicked "${tag} t=${sentAt}" button on /billing`,
        },
      })),
    );
    written += perTick;
  }
  return written;
}

const sentAtPattern = /t=(\d{13})/g;

/** Opens one stream and records, for every action event, now minus its write time. */
function openStream(url: string, record: (latencyMs: number) => void): Promise<() => void> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      `${url}/v1/stream/${productId}`,
      { headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream' } },
      (response) => {
        if (response.statusCode !== 200) return reject(new Error(`stream answered ${response.statusCode}`));
        response.setEncoding('latin1');
        response.on('data', (chunk: string) => {
          const now = Date.now();
          for (const match of chunk.matchAll(sentAtPattern)) record(now - Number(match[1]));
        });
        resolve(() => outgoing.destroy());
      },
    );
    outgoing.on('error', reject);
    outgoing.end();
  });
}

function startWorkerProcess(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'apps/worker/src/main.ts'], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

const redis = new Redis(redisUrl);
const keys = new RedisKeys(prefix);
const feed = new RedisProductFeed(redis, keys, { retentionSeconds: 600, maxEntries: 1_000_000 });
const baseEnv = { REDIS_URL: redisUrl, THREADLINE_PREFIX: prefix, LOG_LEVEL: 'warn' };
const api = await startApiProcess({
  ...baseEnv,
  CAPTURE_API_KEY: 'phc_bench',
  MCP_API_KEYS: `${key}:${productId}`,
  STREAM_MAX_PER_KEY: String(streams),
});
let worker: ChildProcess | undefined;
try {
  console.log(
    `\nStreams — ${streams} SSE streams of one product, ${rate} actions/s for ${durationSeconds} s (each stream gets every action), ${cpus().length} cores, Node ${process.version}, load ${loadavg()[0]?.toFixed(2)} at the start`,
  );
  const sse = histogram();
  let events = 0;
  const closers = await Promise.all(
    Array.from({ length: streams }, () =>
      openStream(api.url, (latency) => {
        events += 1;
        sse.recordValue(Math.max(1, latency));
      }),
    ),
  );
  // Unreported warm-up: JIT, the hub's blocking reads.
  await writeSteadily(feed, 3, 'warm');
  await new Promise((resolve) => setTimeout(resolve, 500));
  sse.reset();
  events = 0;
  const written = await writeSteadily(feed, durationSeconds, 'sse');
  await new Promise((resolve) => setTimeout(resolve, 1000));
  for (const close of closers) close();
  const expected = written * streams;
  console.log(
    '| streams | actions written | events received | of expected | p50 ms | p90 ms | p99 ms | max ms |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  console.log(
    `| ${streams} | ${written} | ${events} | ${((100 * events) / expected).toFixed(1)} % | ${sse.getValueAtPercentile(50)} | ${sse.getValueAtPercentile(90)} | ${sse.getValueAtPercentile(99)} | ${sse.maxValue} |`,
  );

  // Push: a worker forms batches from the same feed and POSTs them to a receiver here.
  const push = histogram();
  let pushed = 0;
  const receiver = createServer((incoming, response) => {
    let body = '';
    incoming.setEncoding('latin1');
    incoming.on('data', (chunk: string) => {
      body += chunk;
    });
    incoming.on('end', () => {
      const now = Date.now();
      for (const match of body.matchAll(sentAtPattern)) {
        if (!body.includes('push t=')) break;
        pushed += 1;
        push.recordValue(Math.max(1, now - Number(match[1])));
      }
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const address = receiver.address();
  const receiverUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/hook`;
  await new RedisSubscriptionStore(redis, keys).add(
    {
      id: 'sub_bench',
      productId,
      url: receiverUrl,
      secret: `whsec_${Buffer.from(randomUUID()).toString('base64')}`,
      createdAt: new Date().toISOString(),
      disabled: null,
    },
    await feed.latestId(productId),
  );
  worker = startWorkerProcess({
    ...baseEnv,
    INTERCOM_ACCESS_TOKEN: 'bench_token',
    INTERCOM_CLIENT_SECRET: 'bench_client_secret',
    INTERCOM_API_BASE_URL: 'http://127.0.0.1:9',
    SUBSCRIPTIONS_ALLOW_PRIVATE: 'true',
  });
  await new Promise((resolve) => setTimeout(resolve, 4000));
  const pushSeconds = Math.min(durationSeconds, 10);
  const pushWritten = await writeSteadily(feed, pushSeconds, 'push');
  const deadline = Date.now() + 15_000;
  while (pushed < pushWritten && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 100));
  receiver.close();
  console.log('\n| push | actions written | delivered | p50 ms | p90 ms | p99 ms | max ms |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  console.log(
    `| batches of ≤ 100 or 1 s | ${pushWritten} | ${pushed} | ${push.getValueAtPercentile(50)} | ${push.getValueAtPercentile(90)} | ${push.getValueAtPercentile(99)} | ${push.maxValue} |`,
  );
  console.log(`load ${loadavg()[0]?.toFixed(2)} at the end`);
  const p99 = sse.getValueAtPercentile(99);
  reportFigures([
    {
      benchmark: 'streams',
      name: `action → SSE p50 (${streams} streams, ${rate}/s)`,
      value: sse.getValueAtPercentile(50),
      unit: 'ms',
    },
    {
      benchmark: 'streams',
      name: `action → SSE p99 (${streams} streams, ${rate}/s)`,
      value: p99,
      unit: 'ms',
      goal: '≤ 100',
      met: p99 <= 100,
    },
    {
      benchmark: 'streams',
      name: 'SSE events received of expected',
      value: Number(((100 * events) / expected).toFixed(1)),
      unit: '%',
    },
    {
      benchmark: 'streams',
      name: 'action → push delivery p99 (batches ≤ 100 / 1 s)',
      value: push.getValueAtPercentile(99),
      unit: 'ms',
    },
  ]);
} finally {
  if (worker && worker.exitCode === null) {
    const exited = new Promise((resolve) => worker?.once('exit', resolve));
    worker.kill('SIGTERM');
    await exited;
  }
  await api.stop();
  redis.disconnect();
  await deleteKeysWithPrefix(redisUrl, prefix);
}
