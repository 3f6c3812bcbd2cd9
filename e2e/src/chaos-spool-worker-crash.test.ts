import { randomUUID } from 'node:crypto';
import { type FakePostHog, startFakePostHog, testRedisUrl, uniquePrefix } from '@threadline/test-helpers';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type LoopStack,
  type ServiceProcess,
  startLoopStack,
  startService,
  waitForOutput,
} from './processes.js';

const captureKey = 'phc_e2e_spool_crash';
const mcpKey = 'mcp_e2e_spool_crash_key_01';
const prefix = uniquePrefix('e2e-spool-crash');
const users = Array.from({ length: 8 }, (_, index) => `spool-crash-${index}-${randomUUID().slice(0, 6)}`);
const batchesPerUser = 30;
let posthog: FakePostHog;
let stack: LoopStack;
let second: ServiceProcess | undefined;
let redis: Redis;

beforeAll(async () => {
  posthog = await startFakePostHog();
  stack = await startLoopStack({
    prefix,
    captureKey,
    clientSecret: 'e2e_spool_crash_secret',
    token: 'e2e-spool-crash-token',
    env: { POSTHOG_UPSTREAM: posthog.url, MCP_API_KEYS: `${mcpKey}:default` },
    apiEnv: { LOG_LEVEL: 'warn' },
  });
  redis = new Redis(testRedisUrl());
});
afterAll(async () => {
  await second?.stop();
  await stack?.close();
  await posthog?.close();
  redis?.disconnect();
});

/** posthog-node's shape: `{api_key, batch}`, two page views with their uuids. */
function batch(user: string, index: number): string {
  return JSON.stringify({
    api_key: captureKey,
    batch: [0, 1].map((half) => ({
      uuid: randomUUID(),
      event: '$pageview',
      distinct_id: user,
      properties: { $pathname: `/step-${index}-${half}`, title: `Step ${index}.${half}` },
      timestamp: new Date(Date.now() - 60_000 + index * 100 + half).toISOString(),
    })),
  });
}

async function storedPaths(user: string): Promise<string[]> {
  const response = await fetch(`${stack.apiUrl}/v1/users/default/${user}/activity?limit=200`, {
    headers: { authorization: `Bearer ${mcpKey}` },
  });
  const { actions } = (await response.json()) as { actions: { page?: string }[] };
  return actions.map((action) => action.page ?? '');
}

const spoolKey = `${prefix}:{spool}:capture-copies`;

describe('chaos: the worker recording the capture spool killed with SIGKILL', () => {
  it('loses no copy and doubles none once another worker takes over', async () => {
    let sent = 0;
    let killed = false;
    // Each user's batches in order; the users in parallel: ~240 requests, the kill in the middle.
    await Promise.all(
      users.map(async (user) => {
        for (let index = 0; index < batchesPerUser; index += 1) {
          const answer = await fetch(`${stack.apiUrl}/batch/`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: batch(user, index),
          });
          expect(answer.status).toBe(200);
          sent += 1;
          if (!killed && sent >= (users.length * batchesPerUser) / 3) {
            killed = true;
            // Kill it while it holds copies it has taken and not finished recording.
            const until = Date.now() + 2000;
            while (
              Date.now() < until &&
              Number(((await redis.xpending(spoolKey, 'recorders')) as [number])[0]) === 0
            )
              await new Promise((resolve) => setTimeout(resolve, 5));
            expect(await stack.worker.stop('SIGKILL')).toBe('SIGKILL');
          }
        }
      }),
    );
    // Copies wait in the spool while no worker runs; those the dead one held stay pending.
    expect(await redis.xlen(spoolKey)).toBeGreaterThan(0);

    second = startService('worker', stack.env);
    await waitForOutput(second, /worker started/);
    const expected = (index: number) => [`/step-${index}-0`, `/step-${index}-1`];
    const everyPath = Array.from({ length: batchesPerUser }, (_, index) => expected(index)).flat();
    const deadline = Date.now() + 40_000;
    while (Date.now() < deadline && (await redis.xlen(spoolKey)) > 0)
      await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await redis.xlen(spoolKey), second.output().slice(-2000)).toBe(0);
    for (const user of users) {
      const paths = await storedPaths(user);
      expect([...paths].sort(), user).toEqual([...everyPath].sort());
    }
  });
});
