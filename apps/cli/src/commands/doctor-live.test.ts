import { createIntercomSandbox, type IntercomSandbox } from '@threadline/intercom-sandbox';
import { createRedis, type RedisClient, RedisKeys, RedisWebhookLog } from '@threadline/redis-store';
import { deleteKeysWithPrefix, testRedisUrl, uniquePrefix } from '@threadline/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCaptured } from '../../test/cli-harness.js';
import type { Check, DoctorReport } from './doctor.js';

const token = 'live-doctor-main-token';
let sandbox: IntercomSandbox;
let sandboxUrl: string;
let redis: RedisClient;
const prefixes: string[] = [];

beforeAll(async () => {
  sandbox = await createIntercomSandbox({
    token,
    adminId: '42',
    tokens: [
      { token: 'live-doctor-no-write', permissions: ['Read conversations', 'Read one user and one company'] },
    ],
  });
  sandboxUrl = await sandbox.listen();
  redis = createRedis(testRedisUrl(), 'worker', () => {});
});
afterAll(async () => {
  await sandbox.close();
  for (const prefix of prefixes) await deleteKeysWithPrefix(testRedisUrl(), prefix);
  redis.disconnect();
});

function environment(extra: Record<string, string> = {}) {
  const prefix = uniquePrefix('cli-doctor-live');
  prefixes.push(prefix);
  return {
    prefix,
    env: {
      REDIS_URL: testRedisUrl(),
      THREADLINE_PREFIX: prefix,
      CAPTURE_API_KEY: 'phc_test_key',
      INTERCOM_ACCESS_TOKEN: token,
      INTERCOM_CLIENT_SECRET: 'live-doctor-secret',
      INTERCOM_API_BASE_URL: sandboxUrl,
      LOG_LEVEL: 'silent',
      ...extra,
    },
  };
}

async function live(env: Record<string, string>, ...extra: string[]) {
  const result = await runCaptured(['doctor', '--live', '--json', ...extra], env);
  const report = JSON.parse(result.stdout) as DoctorReport;
  const byName = (name: Check['name']) => report.checks.find((entry) => entry.name === name) as Check;
  return { code: result.code, report, byName };
}

const webhookLog = (prefix: string) => new RedisWebhookLog(redis, new RedisKeys(prefix));

describe('threadline doctor --live against the sandbox', () => {
  it('fails on a wrong token with where to find the right one, and skips the permission checks', async () => {
    const { env } = environment({ INTERCOM_ACCESS_TOKEN: 'not-a-token-of-this-workspace' });
    const { code, byName } = await live(env);
    expect(code).toBe(1);
    expect(byName('token')).toMatchObject({ status: 'fail', summary: expect.stringMatching(/401/) });
    expect(byName('token').fix).toMatch(/Configure → Authentication.*INTERCOM_ACCESS_TOKEN/);
    expect(byName('write-note').status).toBe('skip');
    expect(JSON.stringify(byName('token'))).not.toContain('not-a-token-of-this-workspace');
  });

  it('names the permission the token lacks when Intercom answers 403', async () => {
    const conversation = sandbox.createConversation({
      contactId: sandbox.createContact({ external_id: 'u-live-1', name: 'Lia' }).id,
      body: 'hello',
    });
    const { env } = environment({ INTERCOM_ACCESS_TOKEN: 'live-doctor-no-write' });
    const { byName } = await live(env, '--conversation', conversation.id);
    expect(byName('token').status).toBe('ok');
    expect(byName('read-conversation').status).toBe('ok');
    expect(byName('read-contact').status).toBe('ok');
    expect(byName('write-note')).toMatchObject({
      status: 'fail',
      summary: '"Write conversations" is missing: Intercom answered 403',
      fix: 'tick "Write conversations" under Developer Hub → your app → Configure → Authentication and save',
    });
    expect(sandbox.notes(conversation.id)).toEqual([]);
  });

  it('with every permission, posts one note in the named conversation and redacts it', async () => {
    const conversation = sandbox.createConversation({
      contactId: sandbox.createContact({ external_id: 'u-live-2', name: 'Ben' }).id,
      body: 'hi',
    });
    const { env } = environment();
    const { byName } = await live(env, '--conversation', conversation.id);
    for (const name of [
      'token',
      'read-conversation',
      'read-contact',
      'write-note',
      'redact',
      'admin',
    ] as const)
      expect(byName(name).status, name).toBe('ok');
    const notes = sandbox.notes(conversation.id);
    expect(notes).toHaveLength(1);
    expect(notes[0]?.redacted).toBe(true);
  });

  it('without a conversation, skips writing a note and says how to try it', async () => {
    const { env } = environment();
    const { byName } = await live(env);
    expect(byName('write-note')).toMatchObject({
      status: 'skip',
      fix: expect.stringMatching(/--conversation/),
    });
    expect(byName('redact').status).toBe('ok');
  });

  it('fails when INTERCOM_ADMIN_ID is no admin of the workspace', async () => {
    const { env } = environment({ INTERCOM_ADMIN_ID: '7' });
    const { byName } = await live(env);
    expect(byName('admin')).toMatchObject({
      status: 'fail',
      summary: expect.stringMatching(/no such admin/),
    });
    const { byName: withAdmin } = await live(environment({ INTERCOM_ADMIN_ID: '42' }).env);
    expect(withAdmin('admin').status).toBe('ok');
  });

  it('no ping seen: fails with the endpoint URL to set; a ping seen says when', async () => {
    const { env, prefix } = environment({ THREADLINE_PUBLIC_URL: 'https://threadline.example.com' });
    const before = await live(env);
    expect(before.byName('webhook-ping')).toMatchObject({
      status: 'fail',
      fix: 'set the endpoint URL under Developer Hub → your app → Configure → Webhooks to https://threadline.example.com/webhooks/intercom and save it',
    });
    await webhookLog(prefix).record({ isVerified: true, topic: 'ping', at: new Date(Date.now() - 5000) });
    const after = await live(env);
    expect(after.byName('webhook-ping')).toMatchObject({
      status: 'ok',
      summary: expect.stringMatching(/^last ping received \S+ \(\d+ s ago\)$/),
    });
  });

  it('a bad signature after the last verified delivery fails, pointing at the client secret', async () => {
    const { env, prefix } = environment();
    const log = webhookLog(prefix);
    await log.record({
      isVerified: true,
      topic: 'conversation.user.created',
      at: new Date(Date.now() - 60_000),
    });
    await log.record({ isVerified: false, topic: undefined, at: new Date() });
    const { byName } = await live(env);
    expect(byName('signature')).toMatchObject({
      status: 'fail',
      summary: expect.stringMatching(/failed its signature check .*1 refused so far/),
      fix: expect.stringMatching(/INTERCOM_CLIENT_SECRET.*Basic information/),
    });
    await log.record({
      isVerified: true,
      topic: 'conversation.user.replied',
      at: new Date(Date.now() + 1000),
    });
    expect((await live(env)).byName('signature')).toMatchObject({ status: 'ok' });
  });

  it('lists the topics Threadline uses that no delivery has brought yet', async () => {
    const { env, prefix } = environment();
    await webhookLog(prefix).record({ isVerified: true, topic: 'conversation.user.created', at: new Date() });
    const { byName } = await live(env);
    expect(byName('topics').status).toBe('warn');
    expect(byName('topics').summary).toContain('conversation.user.replied');
    expect(byName('topics').summary).not.toContain('conversation.user.created');
  });

  it('fails without THREADLINE_PUBLIC_URL, and on a plain http one', async () => {
    expect((await live(environment().env)).byName('public-url')).toMatchObject({
      status: 'fail',
      summary: 'THREADLINE_PUBLIC_URL is not set',
    });
    const http = await live(environment({ THREADLINE_PUBLIC_URL: 'http://threadline.example.com' }).env);
    expect(http.byName('public-url').summary).toMatch(/is not https/);
  });

  it('prints each failure with its fix on the next line', async () => {
    const result = await runCaptured(
      ['doctor', '--live'],
      environment({ INTERCOM_ACCESS_TOKEN: 'wrong-token' }).env,
    );
    const lines = result.stdout.split('\n');
    const tokenLine = lines.findIndex((line) => line.startsWith('fail  token'));
    expect(tokenLine).toBeGreaterThanOrEqual(0);
    expect(lines[tokenLine + 1]).toMatch(/^ +fix: copy the Access token from Developer Hub/);
  });
});
