import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createIntercomSandbox, type IntercomSandbox } from '@threadline/intercom-sandbox';
import { deleteKeysWithPrefix, freePort, testRedisUrl } from '@threadline/test-helpers';

const root = fileURLToPath(new URL('../../', import.meta.url));

export interface ServiceProcess {
  child: ChildProcess;
  /** Everything the process printed, for failure messages. */
  output(): string;
  /** Sends `signal` and resolves with the exit code (or the signal name). */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

/** Starts `apps/<app>/src/main.ts` the way `pnpm --filter @threadline/<app> start` does (tsx). */
export function startService(
  app: 'api' | 'worker',
  env: Record<string, string>,
  nodeArgs: string[] = [],
): ServiceProcess {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', `apps/${app}/src/main.ts`], {
    cwd: root,
    // The test's environment alone: no .env or running start command of the checkout leaks in.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', THREADLINE_ENV_FILE: 'none', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  return {
    child,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

export async function waitForReady(url: string, service: ServiceProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (service.child.exitCode !== null) throw new Error(`process exited early:\n${service.output()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} not ready within ${timeoutMs} ms:\n${service.output()}`);
}

export async function waitForOutput(
  service: ServiceProcess,
  pattern: RegExp,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (pattern.test(service.output())) return;
    if (service.child.exitCode !== null) throw new Error(`process exited early:\n${service.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no output matching ${pattern} within ${timeoutMs} ms:\n${service.output()}`);
}

export interface LoopStack {
  sandbox: IntercomSandbox;
  apiUrl: string;
  api: ServiceProcess;
  /** The first worker; more can be started with `startService('worker', stack.env)`. */
  worker: ServiceProcess;
  /** The environment the services run with (the API adds HOST and PORT). */
  env: Record<string, string>;
  /** Stops the processes and the sandbox, and deletes the run's keys. Idempotent enough for afterAll. */
  close(): Promise<void>;
}

/**
 * The in-process Intercom sandbox, one API and one worker process on the run's Redis under `prefix`,
 * both ready. `env` adds to or overrides the defaults (e.g. a short debounce).
 */
export async function startLoopStack(options: {
  prefix: string;
  captureKey: string;
  clientSecret: string;
  token: string;
  env?: Record<string, string>;
  /** Added to `env` for the API only (e.g. a quieter log level). */
  apiEnv?: Record<string, string>;
  /** Default: the run's Redis (`testRedisUrl()`); chaos tests bring one they can restart. */
  redisUrl?: string;
}): Promise<LoopStack> {
  const redisUrl = options.redisUrl ?? testRedisUrl();
  const sandbox = await createIntercomSandbox({ token: options.token });
  const sandboxUrl = await sandbox.listen({ port: 0, host: '127.0.0.1' });
  const port = await freePort();
  const apiUrl = `http://127.0.0.1:${port}`;
  const env = {
    REDIS_URL: redisUrl,
    THREADLINE_PREFIX: options.prefix,
    CAPTURE_API_KEY: options.captureKey,
    INTERCOM_ACCESS_TOKEN: options.token,
    INTERCOM_CLIENT_SECRET: options.clientSecret,
    INTERCOM_API_BASE_URL: sandboxUrl,
    LOG_LEVEL: 'info',
    ...options.env,
  };
  const api = startService('api', { ...env, ...options.apiEnv, HOST: '127.0.0.1', PORT: String(port) });
  const worker = startService('worker', env);
  await Promise.all([waitForReady(`${apiUrl}/readyz`, api), waitForOutput(worker, /worker started/)]);
  return {
    sandbox,
    apiUrl,
    api,
    worker,
    env,
    async close() {
      await Promise.all([api.stop(), worker.stop()]);
      await sandbox.close();
      await deleteKeysWithPrefix(redisUrl, options.prefix);
    },
  };
}
