import { createServer } from 'node:net';
import { deleteKeysWithPrefix, freePort, testRedisUrl, uniquePrefix } from '@threadline/test-helpers';
import { describe, expect, it } from 'vitest';
import { startService } from './processes.js';

/** Starts the app and waits for it to end by itself (a failed start must not hang). */
async function exitOf(app: 'api' | 'worker', env: Record<string, string>) {
  const service = startService(app, env);
  const code = await new Promise<number | string>((resolve) =>
    service.child.once('exit', (exitCode, signal) => resolve(exitCode ?? signal ?? 'unknown')),
  );
  return { code, output: service.output() };
}

describe('a failed start', () => {
  it.each(['api', 'worker'] as const)(
    '%s: an invalid config prints one line per problem and exits 1',
    async (app) => {
      const { code, output } = await exitOf(app, {
        CAPTURE_API_KEY: 'phc_x',
        PORT: 'eighty',
        LOG_LEVEL: 'silent',
      });
      expect(code).toBe(1);
      expect(output).toMatch(new RegExp(`^threadline-${app}: invalid configuration\\n {2}PORT: `));
    },
  );

  it('api: a port already taken is caught, said in one line, and exits 1', async () => {
    const port = await freePort();
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve));
    const prefix = uniquePrefix('start');
    try {
      const { code, output } = await exitOf('api', {
        CAPTURE_API_KEY: 'phc_x',
        REDIS_URL: testRedisUrl(),
        THREADLINE_PREFIX: prefix,
        HOST: '127.0.0.1',
        PORT: String(port),
        LOG_LEVEL: 'silent',
      });
      expect(code).toBe(1);
      expect(output).toMatch(/^threadline-api: listen EADDRINUSE/m);
    } finally {
      taken.close();
      await deleteKeysWithPrefix(testRedisUrl(), prefix);
    }
  });
});
