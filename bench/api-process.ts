/** The real API as a process of its own, for benchmarks that drive it over HTTP. */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '@threadline/test-helpers';

const root = fileURLToPath(new URL('..', import.meta.url));

export interface ApiProcess {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `apps/api/src/main.ts` on a free port with `env` on top of this process's, and waits for /readyz. */
export async function startApiProcess(
  env: Record<string, string>,
  nodeOptions: string[] = [],
): Promise<ApiProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeOptions, '--import', 'tsx', 'apps/api/src/main.ts'], {
    cwd: root,
    env: { ...process.env, THREADLINE_ENV_FILE: 'none', HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGTERM');
    });
  };
  for (let attempt = 0; attempt < 150; attempt += 1) {
    try {
      if ((await fetch(`${url}/readyz`)).ok) return { url, child, stop };
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  throw new Error('the API did not become ready');
}
