/**
 * Webhook acknowledgement benchmark: the real API process receives signed `conversation.user.created`
 * deliveries at a steady rate (default 1,000/s), each a new notification, and an open-loop generator
 * (bench/open-loop.ts) reports how fast each is acknowledged. Run with `pnpm bench:webhook`; needs Redis at REDIS_URL.
 * Options (env): BENCH_RATE (default 1000), BENCH_DURATION_S (default 20),
 * BENCH_CONNECTIONS (one shape only; 0 = a new connection per delivery).
 */
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { queuePrefix } from '@threadline/jobs';
import { deleteKeysWithPrefix } from '@threadline/test-helpers';
import { Redis } from 'ioredis';
import { startApiProcess } from './api-process.js';
import { runOpenLoop } from './open-loop.js';
import { reportFigures } from './report.js';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const rate = Number(process.env.BENCH_RATE ?? 1000);
const durationSeconds = Number(process.env.BENCH_DURATION_S ?? 20);
const secret = 'bench_client_secret';
const prefix = `bench-webhook-${randomUUID().slice(0, 8)}`;
const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/intercom/conversation.user.created.json', import.meta.url), 'utf8'),
) as {
  id: string;
  created_at: number;
  data: { item: { id: string; contacts: { contacts: { external_id: string }[] } } };
};

let sequence = 0;
/** A new notification per request, signed like Intercom signs it. */
function nextDelivery(): { body: string; headers: Record<string, string> } {
  sequence += 1;
  fixture.id = `notif_bench_${sequence}`;
  // Older notifications are refused as possible replays.
  fixture.created_at = Math.floor(Date.now() / 1000);
  fixture.data.item.id = String(900_000_000 + sequence);
  fixture.data.item.contacts.contacts[0]!.external_id = `user_${sequence % 5000}`;
  const body = JSON.stringify(fixture);
  const signature = `sha1=${createHmac('sha1', secret).update(body).digest('hex')}`;
  return { body, headers: { 'content-type': 'application/json', 'x-hub-signature': signature } };
}

const profile = process.env.BENCH_CPU_PROFILE_DIR
  ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE_DIR}`]
  : [];
const api = await startApiProcess(
  {
    REDIS_URL: redisUrl,
    THREADLINE_PREFIX: prefix,
    CAPTURE_API_KEY: 'phc_bench',
    INTERCOM_CLIENT_SECRET: secret,
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
  },
  profile,
);
try {
  // Signed up front, so the load generator spends its time sending, not hashing, while it measures.
  const deliveries = Array.from({ length: 3 * rate * durationSeconds + 5 * rate }, nextDelivery);
  let next = 0;
  console.log(
    `\nWebhook acknowledgement — a steady ${rate}/s for ${durationSeconds} s (open loop: latency from each delivery's due time), ${cpus().length} cores, Node ${process.version}`,
  );
  console.log(
    '| connections | deliveries | 2xx | other | achieved/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | sender lag p99 ms |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  // Intercom's delivery pattern is not documented, so three shapes: a few busy keep-alive
  // connections, many mostly idle ones, and a new connection per delivery.
  // Unreported warm-up, so the figures describe a running service rather than its first seconds
  // (JIT compilation, Redis connections, the first BullMQ scripts loaded).
  const nextRequest = () => {
    const delivery = deliveries[next++ % deliveries.length]!;
    return { path: '/webhooks/intercom', ...delivery };
  };
  await runOpenLoop({ origin: api.url, rate, durationSeconds: 5, connections: 5, nextRequest });
  const connectionCounts = process.env.BENCH_CONNECTIONS
    ? [Number(process.env.BENCH_CONNECTIONS)]
    : [5, 50, 0];
  for (const connections of connectionCounts) {
    const label = connections === 0 ? 'new per delivery' : `${connections} keep-alive`;
    const result = await runOpenLoop({
      origin: api.url,
      rate,
      durationSeconds,
      connections,
      nextRequest,
    });
    const { latencyMs } = result;
    console.log(
      `| ${label} | ${result.sent} | ${result.ok} | ${result.failed} | ${result.achievedPerSecond} | ${latencyMs.p50} | ${latencyMs.p90} | ${latencyMs.p99} | ${latencyMs.p999} | ${latencyMs.max} | ${result.sendLagP99Ms} |`,
    );
    reportFigures([
      {
        benchmark: 'webhook',
        name: `ack p99 at ${rate}/s, ${label}`,
        value: latencyMs.p99,
        unit: 'ms',
        goal: '≤ 10',
        met: latencyMs.p99 <= 10 && result.failed === 0,
      },
      {
        benchmark: 'webhook',
        name: `ack max at ${rate}/s, ${label}`,
        value: latencyMs.max,
        unit: 'ms',
        goal: '≤ 500',
        met: latencyMs.max <= 500,
      },
    ]);
  }
  // Every delivery was new, so every one must have become a waiting link job (no worker runs here).
  const redis = new Redis(redisUrl);
  const waiting = await redis.llen(`${queuePrefix(prefix, 'link')}:link:wait`);
  redis.disconnect();
  console.log(`\nLink jobs enqueued: ${waiting} of ${next} deliveries sent`);
  if (waiting !== next) throw new Error('some accepted deliveries did not become link jobs');
} finally {
  await api.stop();
  await deleteKeysWithPrefix(redisUrl, prefix);
}
