import { testRedisUrl, uniquePrefix } from '@threadline/test-helpers';
import { describe, expect, it } from 'vitest';
import { runCaptured } from '../test/cli-harness.js';

// Usage errors and help never reach Redis; the prefix only keeps this file apart from the others.
const env = () => ({ REDIS_URL: testRedisUrl(), THREADLINE_PREFIX: uniquePrefix('cli-run') });

describe('runCli', () => {
  it('prints help with exit 0', async () => {
    const result = await runCaptured(['--help'], env());
    expect(result.code).toBe(0);
    for (const command of ['status', 'failed', 'replay', 'inspect', 'doctor'])
      expect(result.stdout).toContain(command);
  });

  it('prints the help of a subcommand with its flags', async () => {
    const result = await runCaptured(['replay', '--help'], env());
    expect(result.code).toBe(0);
    for (const flag of ['--queue', '--all', '--dry-run', '--json']) expect(result.stdout).toContain(flag);
  });

  it('exits 1 on an unknown command or a missing argument, saying what is wrong', async () => {
    const unknown = await runCaptured(['statsu'], env());
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("unknown command 'statsu'");
    expect(unknown.stderr).toContain('(Did you mean status?)');
    const missing = await runCaptured(['inspect', 'user'], env());
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("missing required argument 'productIdOrUserId'");
  });
});
