import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { IntercomSandbox } from '@threadline/intercom-sandbox';
import { uniquePrefix } from '@threadline/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoopStack, startLoopStack } from './processes.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const prefix = uniquePrefix('replay');
const token = 'replay-token';
const clientSecret = 'replay_secret';
let sandbox: IntercomSandbox;
let apiUrl: string;
let env: Record<string, string>;

/** Runs the real CLI binary's entry point, as an operator would. */
function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'apps/cli/src/main.ts', ...args], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', THREADLINE_ENV_FILE: 'none', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

let stack: LoopStack;

beforeAll(async () => {
  stack = await startLoopStack({
    prefix,
    captureKey: 'phc_replay',
    clientSecret,
    token,
    env: { NOTE_COALESCE_MS: '100' },
  });
  ({ sandbox, apiUrl, env } = stack);
});

afterAll(async () => {
  await stack?.close();
});

describe('a job failed by Intercom, replayed with the CLI', () => {
  it('lands in the failed set with its reason, and `threadline replay` delivers it once', async () => {
    // The first note post is refused with a 400: no retry can fix that, so the job fails at once.
    sandbox.injectFault({ status: 400, count: 1, method: 'POST', pathPattern: '/reply$' });
    await fetch(`${apiUrl}/batch/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        api_key: 'phc_replay',
        batch: [
          {
            event: '$pageview',
            distinct_id: 'user_replay',
            properties: { $pathname: '/reports', title: 'Reports' },
          },
        ],
      }),
    });
    const opened = await fetch(`${sandbox.url()}/_sandbox/conversations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        external_id: 'user_replay',
        webhook: { url: `${apiUrl}/webhooks/intercom`, clientSecret },
      }),
    });
    expect(opened.status).toBe(201);
    const conversationId = ((await opened.json()) as { conversation: { id: string } }).conversation.id;

    let failed: { id: string; queue: string; failedReason: string }[] = [];
    const deadline = Date.now() + 20_000;
    while (failed.length === 0 && Date.now() < deadline) {
      const result = await cli(['failed', '--queue', 'notes', '--json']);
      failed = (JSON.parse(result.stdout) as { jobs: typeof failed }).jobs;
      if (failed.length === 0) await new Promise((resolve) => setTimeout(resolve, 300));
    }
    expect(failed).toHaveLength(1);
    expect(failed[0]?.failedReason).toMatch(/400/);
    expect(sandbox.notes(conversationId)).toEqual([]);

    const replay = await cli(['replay', '--queue', 'notes', '--all']);
    expect(replay.code).toBe(0);
    expect(replay.stdout).toMatch(/1/);
    const until = Date.now() + 20_000;
    while (sandbox.notes(conversationId).length === 0 && Date.now() < until)
      await new Promise((resolve) => setTimeout(resolve, 200));
    expect(sandbox.notes(conversationId)).toHaveLength(1);
    expect(sandbox.notes(conversationId)[0]?.body).toContain('[1] Viewed Reports (/reports)');
    expect(JSON.parse((await cli(['failed', '--json'])).stdout).jobs).toEqual([]);
  });
});
