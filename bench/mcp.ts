/**
 * MCP read benchmark: the real API process (`apps/api/src/main.ts`) answers `tools/call`
 * `get_live_user_activity` with `limit: 200` for a user with 200 stored actions (stored through the
 * capture route, so they are real described actions). Two measurements:
 *   1. one caller, calls one after another over a keep-alive connection: per-call latency p50/p99;
 *   2. autocannon with BENCH_CONNECTIONS (default 10) connections for BENCH_DURATION_S (default 10 s).
 * Each call is the exact HTTP exchange an MCP client makes per tool call against this stateless server
 * (a JSON-RPC POST to /mcp with a bearer key; 100 keys in MCP_API_KEYS, used in turn, keep the run under
 * the per-key rate limit, which stays on). Run with `pnpm bench:mcp`; needs Redis at REDIS_URL.
 */
import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { startApiProcess } from './api-process.js';
import { reportFigures } from './report.js';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const sequentialCalls = Number(process.env.BENCH_CALLS ?? 2000);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const durationSeconds = Number(process.env.BENCH_DURATION_S ?? 10);
const prefix = `bench-mcp-${randomUUID().slice(0, 8)}`;
const captureKey = 'phc_bench_mcp';
// The per-key limit (600 a minute) is part of what is measured, so it stays on; the calls rotate over
// enough keys that the run never reaches it.
const keyCount = 100;
const mcpKeys = Array.from(
  { length: keyCount },
  (_, index) => `mcp_bench_${index}_${randomUUID().replaceAll('-', '')}`,
);
let keyTurn = 0;
const nextKey = () => mcpKeys[keyTurn++ % keyCount]!;
const productId = 'default';
const userId = 'bench_user_200';
const storedActions = 200;

/** 200 distinct page views, through `/batch/` like posthog-js sends them. */
async function storeActions(base: string): Promise<void> {
  const start = Date.now() - storedActions * 1000;
  const batch = Array.from({ length: storedActions }, (_, index) => ({
    event: '$pageview',
    distinct_id: userId,
    timestamp: new Date(start + index * 1000).toISOString(),
    properties: {
      $current_url: `https://app.example.com/projects/${index}/settings`,
      $session_id: 's-bench',
    },
  }));
  const response = await fetch(`${base}/batch/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ api_key: captureKey, batch }),
  });
  if (!response.ok) throw new Error(`capture answered ${response.status}`);
}

const callBody = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'tools/call',
  params: {
    name: 'get_live_user_activity',
    arguments: { product_id: productId, user_id: userId, limit: 200 },
  },
});
const callHeaders = () => ({
  authorization: `Bearer ${nextKey()}`,
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  'mcp-protocol-version': '2025-06-18',
});

async function callOnce(url: string): Promise<number> {
  const response = await fetch(url, { method: 'POST', headers: callHeaders(), body: callBody });
  const answer = (await response.json()) as { result?: { structuredContent?: { actions: unknown[] } } };
  if (response.status !== 200) throw new Error(`/mcp answered ${response.status}`);
  return answer.result?.structuredContent?.actions.length ?? -1;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

async function deletePrefix(): Promise<void> {
  const redis = new Redis(redisUrl);
  for (const pattern of [`${prefix}:*`, `{${prefix}-*`]) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  }
  redis.disconnect();
}

const api = await startApiProcess({
  REDIS_URL: redisUrl,
  THREADLINE_PREFIX: prefix,
  PRODUCT_ID: productId,
  CAPTURE_API_KEY: captureKey,
  // The load generator stands for many clients on one address: the per-IP limits are lifted so they
  // never refuse, while their Redis calls still run on every request.
  CAPTURE_IP_EVENTS_PER_MINUTE: '10000000',
  CAPTURE_IP_NEW_USERS_PER_HOUR: '10000000',
  CAPTURE_MAX_USERS_PER_REQUEST: '1000',
  MCP_API_KEYS: mcpKeys.map((key) => `${key}:${productId}`).join(','),
  LOG_LEVEL: 'warn',
});
const base = api.url;
try {
  await storeActions(base);
  const url = `${base}/mcp`;
  let returned = -1;
  for (let attempt = 0; attempt < 50 && returned < storedActions; attempt += 1) {
    returned = await callOnce(url);
    if (returned < storedActions) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (returned !== storedActions)
    throw new Error(`the tool returned ${returned} actions, not ${storedActions}`);

  for (let call = 0; call < 200; call += 1) await callOnce(url); // warm-up
  const latencies: number[] = [];
  for (let call = 0; call < sequentialCalls; call += 1) {
    const started = performance.now();
    await callOnce(url);
    latencies.push(performance.now() - started);
  }
  latencies.sort((a, b) => a - b);
  const p50 = percentile(latencies, 50);
  const p99 = percentile(latencies, 99);

  const loaded = await autocannon({
    url,
    method: 'POST',
    body: callBody,
    connections,
    duration: durationSeconds,
    requests: [{ setupRequest: (request) => ({ ...request, headers: callHeaders() }) }],
  });

  const ms = (value: number) => value.toFixed(2);
  console.log(
    `\nMCP read — tools/call get_live_user_activity, limit 200, ${storedActions} stored actions; ${cpus().length} cores, Node ${process.version}`,
  );
  console.log('| run | calls | non-2xx + errors | calls/s | p50 ms | p99 ms | max ms |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  console.log(
    `| one caller, sequential | ${sequentialCalls} | 0 | ${Math.round(1000 / (latencies.reduce((a, b) => a + b, 0) / latencies.length))} | ${ms(p50)} | ${ms(p99)} | ${ms(latencies.at(-1) ?? 0)} |`,
  );
  console.log(
    `| autocannon, ${connections} connections, ${durationSeconds} s | ${loaded.requests.total} | ${loaded.non2xx + loaded.errors + loaded.timeouts} | ${Math.round(loaded.requests.average)} | ${loaded.latency.p50} | ${loaded.latency.p99} | ${loaded.latency.max} |`,
  );
  reportFigures([
    {
      benchmark: 'mcp',
      name: 'tool call p99, 200 actions, one caller',
      value: Number(ms(p99)),
      unit: 'ms',
      goal: '≤ 20',
      met: p99 <= 20,
    },
    {
      benchmark: 'mcp',
      name: `tool call p99, 200 actions, ${connections} connections`,
      value: loaded.latency.p99,
      unit: 'ms',
    },
  ]);
} finally {
  await api.stop();
  await deletePrefix();
}
