import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { queueNamesFor, queuePrefix } from '@threadline/jobs';
import {
  deleteKeysWithPrefix,
  freePort,
  startLocalRedis,
  testRedisUrl,
  uniquePrefix,
} from '@threadline/test-helpers';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCaptured } from '../../test/cli-harness.js';
import type { DoctorReport } from './doctor.js';

const token = 'dG9rOmZha2UtdG9rZW4tZm9yLWRvY3Rvci10ZXN0';
let intercom: Server;
let intercomUrl: string;
/** What the run's Redis really says, read independently of the doctor. */
let expected: { eviction: 'ok' | 'fail'; memory: 'ok' | 'warn' | 'fail'; persistence: 'ok' | 'warn' };

/** The network edge only: a stand-in for Intercom's GET /me that knows one token. */
function startFakeIntercom(): Promise<Server> {
  const server = createServer((request, response) => {
    response.setHeader('content-type', 'application/json');
    if (request.url !== '/me') {
      response.statusCode = 404;
      response.end(
        JSON.stringify({ type: 'error.list', errors: [{ code: 'not_found', message: 'Not found' }] }),
      );
    } else if (request.headers.authorization !== `Bearer ${token}`) {
      response.statusCode = 401;
      response.end(
        JSON.stringify({
          type: 'error.list',
          errors: [{ code: 'unauthorized', message: 'Access Token Invalid' }],
        }),
      );
    } else {
      response.end(JSON.stringify({ type: 'admin', id: '991', name: 'Ops Bot', email: 'ops@example.com' }));
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

beforeAll(async () => {
  intercom = await startFakeIntercom();
  intercomUrl = `http://127.0.0.1:${(intercom.address() as AddressInfo).port}`;
  const redis = new Redis(testRedisUrl());
  try {
    const policy = /maxmemory_policy:(\S+)/.exec(await redis.info('memory'))?.[1];
    const aof = /aof_enabled:(\d)/.exec(await redis.info('persistence'))?.[1];
    const save = ((await redis.config('GET', 'save')) as string[])[1] ?? '';
    const memory = await redis.info('memory');
    const used = Number(/used_memory:(\d+)/.exec(memory)?.[1]);
    const max = Number(/maxmemory:(\d+)/.exec(memory)?.[1]);
    expected = {
      eviction: policy === 'noeviction' ? 'ok' : 'fail',
      memory: max === 0 ? 'warn' : used / max >= 0.9 ? 'fail' : used / max >= 0.72 ? 'warn' : 'ok',
      persistence: aof === '1' || save.trim() !== '' ? 'ok' : 'warn',
    };
  } finally {
    redis.disconnect();
  }
});
afterAll(async () => {
  await new Promise((resolve) => intercom.close(resolve));
});

// The doctor writes no keys; the prefix of its own only keeps its reports apart from other files'.
const prefix = uniquePrefix('cli-doctor');
const baseEnv = () => ({
  REDIS_URL: testRedisUrl(),
  THREADLINE_PREFIX: prefix,
  CAPTURE_API_KEY: 'phc_test_key',
  LOG_LEVEL: 'silent',
});

async function doctorJson(
  env: Record<string, string | undefined>,
): Promise<{ code: number; report: DoctorReport }> {
  const result = await runCaptured(['doctor', '--json'], env);
  return { code: result.code, report: JSON.parse(result.stdout) as DoctorReport };
}

function statuses(report: DoctorReport): Record<string, string> {
  return Object.fromEntries(report.checks.map((check) => [check.name, check.status]));
}

describe('threadline doctor', () => {
  it("reports the run's Redis as it is, and skips Intercom without a token", async () => {
    const { code, report } = await doctorJson(baseEnv());
    expect(statuses(report)).toEqual({
      config: 'ok',
      sources: 'ok',
      redis: 'ok',
      eviction: expected.eviction,
      memory: expected.memory,
      persistence: expected.persistence,
      workers: 'warn',
      intercom: 'skip',
    });
    const isHealthy = expected.eviction === 'ok' && expected.memory !== 'fail';
    expect(report.isHealthy).toBe(isHealthy);
    expect(code).toBe(isHealthy ? 0 : 1);
    expect(report.checks.find((check) => check.name === 'intercom')?.summary).toContain(
      'INTERCOM_ACCESS_TOKEN is not set',
    );
  });

  it('reads Redis memory against REDIS_MEMORY_HIGH_WATER: no maxmemory warns, above it fails', async () => {
    const local = await startLocalRedis({ appendOnly: false });
    const admin = new Redis(local.url);
    try {
      const env = { ...baseEnv(), REDIS_URL: local.url };
      const memoryOf = async () =>
        (await doctorJson(env)).report.checks.find((check) => check.name === 'memory');
      expect(await memoryOf()).toMatchObject({
        status: 'warn',
        summary: expect.stringContaining('no maxmemory set'),
      });

      const used = Number(/used_memory:(\d+)/.exec(await admin.info('memory'))?.[1]);
      await admin.config('SET', 'maxmemory', String(used * 20));
      expect(await memoryOf()).toMatchObject({
        status: 'ok',
        summary: expect.stringMatching(/^\d+\.\d % of maxmemory/),
      });

      await admin.config('SET', 'maxmemory', String(Math.ceil(used / 0.95)));
      const { code, report } = await doctorJson(env);
      expect(code).toBe(1);
      expect(report.checks.find((check) => check.name === 'memory')).toMatchObject({
        status: 'fail',
        summary: expect.stringContaining('above REDIS_MEMORY_HIGH_WATER 0.9, capture answers 503'),
      });
    } finally {
      await admin.config('SET', 'maxmemory', '0').catch(() => undefined);
      admin.disconnect();
      await local.stop();
    }
  });

  it('prints one line per check with its status', async () => {
    const result = await runCaptured(['doctor'], baseEnv());
    expect(result.stdout).toMatch(
      /^ok\s+config\s+valid \(prefix "tl-cli-doctor-[0-9a-f]+", product "default"\)$/m,
    );
    expect(result.stdout).toMatch(/^ok\s+redis\s+reachable at redis:\/\/.+ \(Redis \d+\.\d+/m);
    expect(result.stdout).toMatch(
      new RegExp(`^${expected.eviction}\\s+eviction\\s+maxmemory-policy is `, 'm'),
    );
    expect(result.stdout).toMatch(new RegExp(`^${expected.persistence}\\s+persistence\\s+`, 'm'));
    expect(result.stdout).toMatch(/^warn\s+workers\s+no worker is connected/m);
    expect(result.stdout).toMatch(/^skip\s+intercom\s+INTERCOM_ACCESS_TOKEN is not set/m);
    expect(result.stdout).toMatch(/All checks passed\.|No check failed; \d warnings?\.|check failed/);
  });

  it('fails on an invalid environment, naming each variable, and skips what needs it', async () => {
    const result = await runCaptured(['doctor'], {
      ...baseEnv(),
      NOTE_MAX_ACTIONS: 'lots',
      REDIS_URL: 'localhost',
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^fail\s+config\s+the API and worker would refuse to start$/m);
    expect(result.stdout).toContain('NOTE_MAX_ACTIONS: must be a whole number');
    expect(result.stdout).toContain('REDIS_URL: must be redis://host:port');
    expect(result.stdout).toMatch(/^skip\s+redis\s+skipped: fix the configuration first$/m);
  });

  it('flags a missing CAPTURE_API_KEY (the services need it) while still checking Redis', async () => {
    const { code, report } = await doctorJson({ ...baseEnv(), CAPTURE_API_KEY: undefined });
    expect(code).toBe(1);
    expect(report.checks[0]).toMatchObject({ name: 'config', status: 'fail' });
    expect(report.checks[0]?.details.join('\n')).toContain('CAPTURE_API_KEY: required');
    expect(statuses(report).redis).toBe('ok');
  });

  it('fails when Redis is not reachable, without printing its password', async () => {
    const port = await freePort();
    const result = await runCaptured(['doctor'], {
      ...baseEnv(),
      REDIS_URL: `redis://:s3cret-pass@127.0.0.1:${port}`,
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      new RegExp(
        `^fail\\s+redis\\s+Redis at redis://\\*\\*\\*@127\\.0\\.0\\.1:${port} is not reachable`,
        'm',
      ),
    );
    expect(result.stdout).toMatch(/^skip\s+eviction\s+skipped: Redis is not reachable$/m);
    expect(result.stdout).not.toContain('s3cret-pass');
  });

  it('checks the Intercom token with GET /me, even when INTERCOM_ADMIN_ID is set', async () => {
    const env = {
      ...baseEnv(),
      INTERCOM_ACCESS_TOKEN: token,
      INTERCOM_CLIENT_SECRET: 'client-secret',
      INTERCOM_API_BASE_URL: intercomUrl,
      INTERCOM_ADMIN_ID: '123',
    };
    const result = await runCaptured(['doctor'], env);
    expect(result.stdout).toMatch(
      new RegExp(
        `^ok\\s+intercom\\s+token accepted by ${intercomUrl} \\(GET /me: admin 991\\); notes are authored by INTERCOM_ADMIN_ID 123$`,
        'm',
      ),
    );
    expect(result.stdout).not.toContain(token);
  });

  it('fails when Intercom refuses the token, without printing it', async () => {
    const wrong = 'd3Jvbmctd3JvbmctdG9rZW4tdmFsdWU=';
    const env = {
      ...baseEnv(),
      INTERCOM_ACCESS_TOKEN: wrong,
      INTERCOM_CLIENT_SECRET: 'client-secret',
      INTERCOM_API_BASE_URL: intercomUrl,
    };
    const { code, report } = await doctorJson(env);
    expect(code).toBe(1);
    expect(report.checks.find((check) => check.name === 'intercom')).toMatchObject({
      status: 'fail',
      summary: `GET /me at ${intercomUrl} failed: Intercom answered 401: the access token was refused`,
    });
    expect(JSON.stringify(report)).not.toContain(wrong);
  });

  it('says why Intercom could not be reached at all', async () => {
    const port = await freePort();
    const env = {
      ...baseEnv(),
      INTERCOM_ACCESS_TOKEN: token,
      INTERCOM_CLIENT_SECRET: 'client-secret',
      INTERCOM_API_BASE_URL: `http://127.0.0.1:${port}`,
    };
    const { code, report } = await doctorJson(env);
    expect(code).toBe(1);
    const intercomCheck = report.checks.find((check) => check.name === 'intercom');
    expect(intercomCheck?.status).toBe('fail');
    expect(intercomCheck?.summary).toMatch(
      /^GET \/me at http:\/\/127\.0\.0\.1:\d+ failed: .+ \(ECONNREFUSED\)$/,
    );
  });
});

describe('threadline doctor: the workers check', () => {
  const shardsPrefix = uniquePrefix('cli-doctor-workers');
  const env = (shards: number) => ({
    ...baseEnv(),
    THREADLINE_PREFIX: shardsPrefix,
    NOTE_QUEUE_SHARDS: String(shards),
  });
  const workers: Worker[] = [];
  let redis: Redis;
  beforeAll(async () => {
    redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
    // A worker process as NOTE_QUEUE_SHARDS=2 runs it: link, notes, notes-1, summaries.
    for (const name of queueNamesFor(2)) {
      const worker = new Worker(name, async () => undefined, {
        connection: redis,
        prefix: queuePrefix(shardsPrefix, name),
        name: 'doctor-test',
      });
      await worker.waitUntilReady();
      workers.push(worker);
    }
  });
  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.close()));
    await deleteKeysWithPrefix(testRedisUrl(), shardsPrefix);
    redis.disconnect();
  });
  const workersCheck = async (shards: number) =>
    (await doctorJson(env(shards))).report.checks.find((entry) => entry.name === 'workers')!;

  it('is ok when every queue of the configuration has a worker', async () => {
    const found = await workersCheck(2);
    expect(found.status).toBe('ok');
    expect(found.summary).toMatch(
      /^every queue has a worker \(link \d+, notes \d+, notes-1 \d+, summaries \d+/,
    );
  });

  it('fails when a notes shard of the configuration has no worker', async () => {
    const found = await workersCheck(3);
    expect(found.status).toBe('fail');
    expect(found.summary).toContain('no worker consumes notes-2');
  });

  it('fails when jobs wait on a shard beyond the configuration', async () => {
    // notes-1 has a worker but no jobs: only a warning for a process that counts one shard.
    expect((await workersCheck(1)).status).toBe('warn');
    const extra = new Queue('notes-3', { connection: redis, prefix: queuePrefix(shardsPrefix, 'notes-3') });
    await extra.add('deliver', { conversationId: 'conv-stranded' });
    await extra.close();
    const found = await workersCheck(3);
    expect(found.status).toBe('fail');
    expect(found.summary).toContain('beyond NOTE_QUEUE_SHARDS=3');
    expect(found.details).toEqual(['notes-3: 0 worker connection(s), 1 job(s) waiting']);
  });
});
