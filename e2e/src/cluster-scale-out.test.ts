import { createIntercomSandbox, type IntercomSandbox } from '@threadline/intercom-sandbox';
import { freePort, type LocalRedisCluster, startLocalRedisCluster } from '@threadline/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServiceProcess, startService, waitForOutput, waitForReady } from './processes.js';

const captureKey = 'phc_cluster_key';
const clientSecret = 'cluster_client_secret';
const token = 'cluster-sandbox-token';
const users = 24;
const liveEventsPerUser = 8;
const noteQueueShards = 3;

let cluster: LocalRedisCluster;
let sandbox: IntercomSandbox;
const services: ServiceProcess[] = [];
const apiUrls: string[] = [];

function pageview(userId: string, path: string, secondsAgo = 0) {
  return {
    event: '$pageview',
    distinct_id: userId,
    timestamp: new Date(Date.now() - secondsAgo * 1000).toISOString(),
    properties: {
      $pathname: path,
      $current_url: `https://app.example.com${path}`,
      $session_id: `s-${userId}`,
    },
  };
}

async function capture(apiUrl: string, events: unknown[]): Promise<void> {
  const response = await fetch(`${apiUrl}/batch/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ api_key: captureKey, batch: events }),
  });
  if (response.status !== 200)
    throw new Error(`capture answered ${response.status}: ${await response.text()}`);
}

function lines(conversationId: string): string[] {
  return sandbox
    .notes(conversationId)
    .flatMap((part) =>
      [...part.body.matchAll(/<p>\[(\d+)\] (.*?)<\/p>/g)].map((match) => `[${match[1]}] ${match[2]}`),
    );
}

beforeAll(async () => {
  cluster = await startLocalRedisCluster(3);
  sandbox = await createIntercomSandbox({ token, rateLimitPerWindow: 100_000 });
  const sandboxUrl = await sandbox.listen({ port: 0, host: '127.0.0.1' });
  const env = {
    REDIS_URL: cluster.url,
    CAPTURE_API_KEY: captureKey,
    INTERCOM_ACCESS_TOKEN: token,
    INTERCOM_CLIENT_SECRET: clientSecret,
    INTERCOM_API_BASE_URL: sandboxUrl,
    NOTE_COALESCE_MS: '150',
    // Every raw note must stay readable for the exactly-once check (summaries would redact them).
    SUMMARIZE_AFTER_NOTES: '1000',
    NOTE_QUEUE_SHARDS: String(noteQueueShards),
    WORKER_CONCURRENCY: '4',
    LOG_LEVEL: 'warn',
  };
  for (let index = 0; index < 2; index += 1) {
    const port = await freePort();
    apiUrls.push(`http://127.0.0.1:${port}`);
    services.push(startService('api', { ...env, HOST: '127.0.0.1', PORT: String(port) }));
  }
  for (let index = 0; index < 3; index += 1)
    services.push(startService('worker', { ...env, LOG_LEVEL: 'info' }));
  await Promise.all([
    ...apiUrls.map((url, index) => waitForReady(`${url}/readyz`, services[index]!)),
    ...services.slice(2).map((worker) => waitForOutput(worker, /worker started/)),
  ]);
}, 90_000);

afterAll(async () => {
  await Promise.all(services.map((service) => service.stop()));
  await sandbox?.close();
  await cluster?.stop();
});

describe('Redis Cluster, 2 API and 3 worker processes, 3 notes shards', () => {
  it('writes every action of every conversation exactly once, in order', async () => {
    const userIds = Array.from({ length: users }, (_, index) => `cluster_user_${index}`);
    await Promise.all(
      userIds.map((userId, index) =>
        capture(apiUrls[index % 2]!, [pageview(userId, '/pricing', 30), pageview(userId, '/billing', 20)]),
      ),
    );
    const conversations = new Map<string, string>();
    await Promise.all(
      userIds.map(async (userId, index) => {
        const opened = await fetch(`${sandbox.url()}/_sandbox/conversations`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            external_id: userId,
            body: 'help',
            webhook: { url: `${apiUrls[index % 2]}/webhooks/intercom`, clientSecret },
          }),
        });
        const { conversation } = (await opened.json()) as { conversation: { id: string } };
        conversations.set(userId, conversation.id);
      }),
    );
    // Live actions, each user's in order, alternating between the two API processes.
    await Promise.all(
      userIds.map(async (userId) => {
        for (let step = 0; step < liveEventsPerUser; step += 1) {
          await capture(apiUrls[step % 2]!, [pageview(userId, `/step/${step}`)]);
          await new Promise((resolve) => setTimeout(resolve, 40));
        }
      }),
    );

    const expected = [
      '[1] Viewed /pricing',
      '[2] Viewed /billing',
      ...Array.from({ length: liveEventsPerUser }, (_, step) => `[${step + 3}] Viewed /step/${step}`),
    ];
    const deadline = Date.now() + 45_000;
    const pending = () =>
      userIds.filter((userId) => lines(conversations.get(userId)!).length < expected.length);
    while (pending().length > 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 200));
    for (const userId of userIds) {
      expect(lines(conversations.get(userId)!), userId).toEqual(expected);
    }
    // Every worker took part: the queues really are shared across processes.
    const workersThatPosted = services.slice(2).filter((worker) => /notes posted/.test(worker.output()));
    expect(workersThatPosted.length).toBeGreaterThanOrEqual(2);

    // Each shard has its own hash tag (the default prefix is `threadline`), and the shards' keys sit
    // on more than one master: the queue load is spread over the cluster.
    const tagOf = (key: string) => key.slice(0, key.indexOf('}') + 1);
    const keysByMaster = [...(await cluster.keysByMaster('{threadline-notes*')).values()];
    const shardTagsByMaster = keysByMaster
      .map((keys) => new Set(keys.map(tagOf)))
      .filter((tags) => tags.size > 0);
    // Every shard completed deliveries (not only exists): conversations really are spread.
    expect(
      keysByMaster
        .flat()
        .filter((key) => key.endsWith(':completed'))
        .sort(),
    ).toEqual([
      '{threadline-notes-1}:notes-1:completed',
      '{threadline-notes-2}:notes-2:completed',
      '{threadline-notes}:notes:completed',
    ]);
    expect(shardTagsByMaster.flatMap((tags) => [...tags]).sort()).toEqual([
      '{threadline-notes-1}',
      '{threadline-notes-2}',
      '{threadline-notes}',
    ]);
    expect(shardTagsByMaster.length).toBeGreaterThanOrEqual(2);
  });
});
