/**
 * `npm start`: the whole stack on one machine, for trying Threadline and for development.
 * Production runs the API and the worker as separate services (see docker-compose.yml).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { hasCommand, isPortFree, redisAnswers, startRedis } from './lib/local-services.js';

const env: NodeJS.ProcessEnv = { ...process.env };
const children: { name: string; child: ChildProcess }[] = [];
let stopping = false;

function stopAll(code: number): void {
  if (stopping) return;
  stopping = true;
  for (const { child } of [...children].reverse()) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 5000).unref();
  Promise.all(
    children.map(
      ({ child }) => new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r))),
    ),
  ).then(() => process.exit(code));
}
process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));

/** Runs a TypeScript entry point with tsx, the same code `pnpm --filter … start` runs. */
function run(name: string, entry: string): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const label = `${name.padEnd(7)}|`;
  for (const stream of [child.stdout, child.stderr]) {
    let buffered = '';
    stream?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) process.stdout.write(`${label} ${line}\n`);
    });
  }
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`${label} exited (${signal ?? code}); stopping the stack`);
      stopAll(1);
    }
  });
  children.push({ name, child });
  return child;
}

async function waitForHttp(url: string, what: string): Promise<void> {
  for (let attempt = 0; attempt < 150; attempt += 1) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not answer at ${url}`);
}

async function requireFreePort(port: number, variable: string): Promise<void> {
  if (await isPortFree(port)) return;
  console.error(
    `Port ${port} is already in use (is Threadline already running?). Stop it, or set ${variable} to another port.`,
  );
  stopAll(1);
  await new Promise(() => {});
}

const redisUrl = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
if (!(await redisAnswers(redisUrl.split(',')[0]!.replace('redis+cluster://', 'redis://')))) {
  if (!hasCommand('redis-server')) {
    console.error(`No Redis answers at ${redisUrl}, and redis-server is not installed.`);
    console.error(
      'Install it (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis),',
    );
    console.error(
      'or run one with Docker: docker compose up -d redis, or set REDIS_URL to a Redis you have.',
    );
    process.exit(1);
  }
  const port = 6390;
  const child = await startRedis(port, '.data/redis');
  children.push({ name: 'redis', child });
  env.REDIS_URL = `redis://127.0.0.1:${port}`;
  console.log(`Started redis-server on port ${port} (AOF on, data in .data/redis)`);
}

let sandboxUrl: string | undefined;
if (!env.INTERCOM_ACCESS_TOKEN) {
  const port = env.SANDBOX_PORT ?? '8090';
  sandboxUrl = `http://127.0.0.1:${port}`;
  env.SANDBOX_PORT = port;
  env.SANDBOX_TOKEN = 'sandbox-token';
  env.INTERCOM_ACCESS_TOKEN = 'sandbox-token';
  env.INTERCOM_CLIENT_SECRET ??= 'sandbox-client-secret';
  env.INTERCOM_API_BASE_URL = sandboxUrl;
  await requireFreePort(Number(port), 'SANDBOX_PORT');
  run('sandbox', 'packages/intercom-sandbox/src/main.ts');
  await waitForHttp(`${sandboxUrl}/_sandbox/conversations`, 'the Intercom sandbox');
}
env.CAPTURE_API_KEY ??= 'phc_threadline_local_key';
env.PORT ??= '8080';
env.HOST ??= '127.0.0.1';
const apiUrl = `http://127.0.0.1:${env.PORT}`;

await requireFreePort(Number(env.PORT), 'PORT');
run('api', 'apps/api/src/main.ts');
run('worker', 'apps/worker/src/main.ts');
await waitForHttp(`${apiUrl}/healthz`, 'the API');

console.log(`
Threadline is running.
  API (capture, webhooks):  ${apiUrl}     point posthog-js / posthog-node here (api_host), key: ${env.CAPTURE_API_KEY}
  Intercom webhook URL:     ${apiUrl}/webhooks/intercom
  Health / readiness:       ${apiUrl}/healthz  ${apiUrl}/readyz${
    sandboxUrl
      ? `
  Intercom sandbox page:    ${sandboxUrl}/   (notes appear here; no INTERCOM_ACCESS_TOKEN is set)
  Try it:                   npm run demo     (in another terminal)`
      : ''
  }
Ctrl-C stops everything.
`);
