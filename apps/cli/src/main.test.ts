import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliHarness, createHarness } from '../test/cli-harness.js';

const run = promisify(execFile);
const cliFolder = fileURLToPath(new URL('..', import.meta.url));
const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));

let harness: CliHarness;

/** The real binary, as a person runs it: a process, its exit code, its two streams. */
async function threadline(
  argv: string[],
  how: { file: string; args: string[]; cwd: string } = { file: tsx, args: ['src/main.ts'], cwd: cliFolder },
  env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    THREADLINE_ENV_FILE: 'none',
    ...harness.env,
  },
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(how.file, [...how.args, ...argv], { cwd: how.cwd, env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

beforeAll(async () => {
  harness = await createHarness('cli-main');
  await harness.failLinkJobs(1, 'main');
});
afterAll(async () => {
  await harness.close();
});

// Each test starts a process (tsx compiles on start): a few seconds each, more on a busy machine.
describe('the threadline binary', { timeout: 60_000 }, () => {
  it('prints status as JSON and exits 0', async () => {
    const result = await threadline(['status', '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as {
      prefix: string;
      queues: { queue: string; failed: number }[];
    };
    expect(report.prefix).toBe(harness.prefix);
    expect(report.queues.find((queue) => queue.queue === 'link')?.failed).toBe(1);
  });

  it('replays for real and says how many', async () => {
    const result = await threadline(['replay', '--all']);
    expect(result).toMatchObject({ code: 0, stdout: 'Replayed 1 failed job.\n' });
    expect(await harness.queues.queues.link.getJobCounts('waiting', 'failed')).toMatchObject({
      waiting: 1,
      failed: 0,
    });
  });

  it('exits 1 with one line on stderr for an unknown conversation', async () => {
    const result = await threadline(['inspect', 'conversation', 'conv-nowhere']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([
      `threadline: conversation "conv-nowhere" is not linked to any user (prefix "${harness.prefix}")`,
    ]);
  });

  it("runs as the package's bin from a folder outside the repository", async () => {
    const bin = fileURLToPath(new URL('../bin/threadline.mjs', import.meta.url));
    const result = await threadline(['failed', '--json'], { file: bin, args: [], cwd: tmpdir() });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ jobs: [] });
  });

  it('reads .env at the root of the checkout it runs in, under the environment', async () => {
    const checkout = mkdtempSync(join(tmpdir(), 'threadline-checkout-'));
    try {
      writeFileSync(join(checkout, 'pnpm-workspace.yaml'), 'packages: []\n');
      writeFileSync(
        join(checkout, '.env'),
        `REDIS_URL=${harness.redisUrl}\nTHREADLINE_PREFIX=${harness.prefix}\nLOG_LEVEL=debug\n`,
      );
      const below = join(checkout, 'apps', 'cli');
      mkdirSync(below, { recursive: true });
      const bin = fileURLToPath(new URL('../bin/threadline.mjs', import.meta.url));
      // Only PATH and HOME from the environment, plus LOG_LEVEL, which wins over .env.
      const env = { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn' };
      const status = await threadline(['status', '--json'], { file: bin, args: [], cwd: below }, env);
      expect(status.code).toBe(0);
      expect(JSON.parse(status.stdout).prefix).toBe(harness.prefix);
      const doctor = await threadline(['doctor', '--json'], { file: bin, args: [], cwd: below }, env);
      const sources = (
        JSON.parse(doctor.stdout) as { checks: { name: string; summary: string; details: string[] }[] }
      ).checks.find((check) => check.name === 'sources');
      expect(sources?.summary).toBe(`read from environment, then ${join(checkout, '.env')}`);
      expect(sources?.details.find((line) => line.startsWith('THREADLINE_PREFIX'))).toMatch(/\.env\s+\S+$/);
      expect(sources?.details.find((line) => line.startsWith('LOG_LEVEL'))).toMatch(/environment\s+warn$/);
    } finally {
      rmSync(checkout, { recursive: true, force: true });
    }
  });
});
