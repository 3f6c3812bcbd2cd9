/**
 * Webhook acknowledgement benchmark: the real API process receives signed `conversation.user.created`
 * deliveries at a steady rate (default 1,000/s), each a new notification, and autocannon reports how
 * fast each is acknowledged. Run with `pnpm bench:webhook`; needs Redis at REDIS_URL.
 * Options (env): BENCH_RATE (default 1000), BENCH_DURATION_S (default 20).
 */
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { deleteKeysWithPrefix } from '@threadline/test-helpers';
import autocannon from 'autocannon';
import { startApiProcess } from './api-process.js';
import { reportFigures } from './report.js';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const rate = Number(process.env.BENCH_RATE ?? 1000);
const durationSeconds = Number(process.env.BENCH_DURATION_S ?? 20);
const secret = 'bench_client_secret';
const prefix = `bench-webhook-${randomUUID().slice(0, 8)}`;
const fixture = JSON.parse(
  readFileSync(
    new URL('../../shared/fixtures/intercom/conversation.user.created.json', import.meta.url),
    'utf8',
  ),
) as { id: string; data: { item: { id: string; contacts: { contacts: { external_id: string }[] } } } };

let sequence = 0;
/** A new notification per request, signed like Intercom signs it. */
function nextDelivery(): { body: string; headers: Record<string, string> } {
  sequence += 1;
  fixture.id = `notif_bench_${sequence}`;
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
  const deliveries = Array.from({ length: 2 * (rate * durationSeconds + rate) }, nextDelivery);
  let next = 0;
  console.log(
    `\nWebhook acknowledgement — ${rate}/s for ${durationSeconds} s, ${cpus().length} cores, Node ${process.version}`,
  );
  console.log(
    '| connections | deliveries | 2xx | non-2xx | errors | achieved/s | p50 ms | p90 ms | p99 ms | max ms |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  // The same rate over few busy connections and over many idle ones: on this one machine the tail
  // differs a lot between the two (see docs/performance.md), so both are reported.
  const connectionCounts = process.env.BENCH_CONNECTIONS ? [Number(process.env.BENCH_CONNECTIONS)] : [5, 50];
  for (const connections of connectionCounts) {
    const result = await autocannon({
      url: `${api.url}/webhooks/intercom`,
      method: 'POST',
      connections,
      overallRate: rate,
      duration: durationSeconds,
      requests: [
        {
          setupRequest: (request) => {
            const delivery = deliveries[next++ % deliveries.length]!;
            return { ...request, method: 'POST', body: delivery.body, headers: delivery.headers };
          },
        },
      ],
    });
    console.log(
      `| ${connections} | ${result.requests.total} | ${result['2xx']} | ${result.non2xx} | ${result.errors + result.timeouts} | ${Math.round(result.requests.average)} | ${result.latency.p50} | ${result.latency.p90} | ${result.latency.p99} | ${result.latency.max} |`,
    );
    reportFigures([
      {
        benchmark: 'webhook',
        name: `ack p99 at ${rate}/s over ${connections} connections`,
        value: result.latency.p99,
        unit: 'ms',
        goal: '≤ 10',
        met: result.latency.p99 <= 10,
      },
      {
        benchmark: 'webhook',
        name: `ack max at ${rate}/s over ${connections} connections`,
        value: result.latency.max,
        unit: 'ms',
        goal: '≤ 500',
        met: result.latency.max <= 500,
      },
    ]);
  }
} finally {
  await api.stop();
  await deleteKeysWithPrefix(redisUrl, prefix);
}
