import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './free-port.js';

export interface LocalRedis {
  url: string;
  port: number;
  dir: string;
  /** SIGKILL, like a crash: what AOF has not fsynced is lost. */
  kill(): Promise<void>;
  /** Starts again on the same port and data folder (AOF replayed). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Whether something at `url` answers PING within a second. */
export async function redisAnswers(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/**
 * Starts a private `redis-server` on a free port with AOF on (`appendfsync always`), for tests that
 * kill or restart Redis, and for test runs on machines where no Redis answers.
 */
export async function startLocalRedis(options: { appendOnly?: boolean } = {}): Promise<LocalRedis> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'threadline-redis-'));
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;

  const launch = async () => {
    child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--save',
        '',
        '--appendonly',
        options.appendOnly === false ? 'no' : 'yes',
        '--appendfsync',
        'always',
        '--maxmemory-policy',
        'noeviction',
      ],
      { stdio: 'ignore' },
    );
    const spawnError = new Promise<never>((_, reject) => child?.once('error', reject));
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (await Promise.race([redisAnswers(url), spawnError])) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`redis-server on port ${port} did not answer within 10 s`);
  };
  const waitExit = async (signal: NodeJS.Signals) => {
    const current = child;
    if (!current || current.exitCode !== null || current.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      current.once('exit', () => resolve());
      current.kill(signal);
    });
  };

  await launch();
  return {
    url,
    port,
    dir,
    kill: () => waitExit('SIGKILL'),
    restart: async () => {
      await waitExit('SIGKILL');
      await launch();
    },
    stop: async () => {
      await waitExit('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
