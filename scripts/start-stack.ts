/**
 * `npm start`: the whole stack on one machine, for trying Threadline and for development.
 * Production runs the API and the worker as separate services (see docker-compose.yml).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { readConfigSources, writeStartDefaults } from '@threadline/config';
import { hasCommand, isPortFree, redisAnswers, startRedis } from './lib/local-services.js';

// The children get this process's environment unchanged and read .env and the defaults file themselves,
// as every process does; `configured` is what they will see before this command adds its defaults.
const env: NodeJS.ProcessEnv = { ...process.env };
const configured = readConfigSources(process.env, process.cwd()).values;
/** What this command chooses where nothing is configured; written to .data/start-defaults.json. */
const defaults: Record<string, string> = {};
let removeDefaults: (() => void) | undefined;
process.on('exit', () => removeDefaults?.());
const children: { name: string; child: ChildProcess }[] = [];
let stopping = false;

function stopAll(code: number): void {
  if (stopping) return;
  stopping = true;
  removeDefaults?.();
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

/** A THREADLINE_ENCRYPTION_KEY for this checkout: made once (32 random bytes), then read back. */
function localEncryptionKey(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dirname(file), { recursive: true });
  const key = randomBytes(32).toString('base64');
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}

const setting = (name: string): string | undefined => configured[name] || defaults[name] || undefined;

if (configured.REDIS_URL) {
  if (!(await redisAnswers(configured.REDIS_URL.split(',')[0]!.replace('redis+cluster://', 'redis://')))) {
    console.error(`No Redis answers at REDIS_URL ${configured.REDIS_URL.replace(/\/\/[^@/]*@/, '//***@')}.`);
    console.error('Start it, fix REDIS_URL (environment or .env), or unset it to let npm start run one.');
    process.exit(1);
  }
} else if (!(await redisAnswers('redis://127.0.0.1:6379'))) {
  if (!hasCommand('redis-server')) {
    console.error('No Redis answers at redis://127.0.0.1:6379, and redis-server is not installed.');
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
  defaults.REDIS_URL = `redis://127.0.0.1:${port}`;
  console.log(`Started redis-server on port ${port} (AOF on, data in .data/redis)`);
}

let sandboxUrl: string | undefined;
if (!configured.INTERCOM_ACCESS_TOKEN) {
  if (configured.INTERCOM_API_BASE_URL) {
    console.error(
      'INTERCOM_API_BASE_URL is set but INTERCOM_ACCESS_TOKEN is not: set both (a real workspace) or neither (the sandbox).',
    );
    process.exit(1);
  }
  const port = env.SANDBOX_PORT ?? configured.SANDBOX_PORT ?? '8090';
  sandboxUrl = `http://127.0.0.1:${port}`;
  env.SANDBOX_PORT = port;
  env.SANDBOX_TOKEN = 'sandbox-token';
  defaults.INTERCOM_ACCESS_TOKEN = 'sandbox-token';
  if (!configured.INTERCOM_CLIENT_SECRET) defaults.INTERCOM_CLIENT_SECRET = 'sandbox-client-secret';
  defaults.INTERCOM_API_BASE_URL = sandboxUrl;
  defaults.SANDBOX_PORT = port;
  // The sandbox's OAuth app is the one the API installs with (below): the same client secret.
  env.SANDBOX_OAUTH_CLIENT_SECRET = setting('INTERCOM_CLIENT_SECRET');
  await requireFreePort(Number(port), 'SANDBOX_PORT');
  run('sandbox', 'packages/intercom-sandbox/src/main.ts');
  await waitForHttp(`${sandboxUrl}/_sandbox/conversations`, 'the Intercom sandbox');
}
if (!configured.CAPTURE_API_KEY) defaults.CAPTURE_API_KEY = 'phc_threadline_local_key';
if (!configured.PORT) defaults.PORT = '8080';
if (!configured.HOST) defaults.HOST = '127.0.0.1';
if (!configured.WORKER_METRICS_PORT) defaults.WORKER_METRICS_PORT = '9465';
const apiUrl = `http://127.0.0.1:${setting('PORT')}`;
const workerMetricsUrl = `http://127.0.0.1:${setting('WORKER_METRICS_PORT')}/metrics`;
const metricsPort = setting('METRICS_PORT');
const apiMetricsUrl = metricsPort
  ? `http://127.0.0.1:${metricsPort}/metrics`
  : `${apiUrl}/metrics   (answers scrapes from this machine only)`;
const publicUrl = setting('THREADLINE_PUBLIC_URL')?.replace(/\/+$/, '');
// With the sandbox, the OAuth install runs against its authorize page, so installing into several
// workspaces can be tried locally (docs/intercom.md). The encryption key is made once and kept.
const installUrl = sandboxUrl && !configured.INTERCOM_CLIENT_ID ? `${apiUrl}/oauth/intercom` : undefined;
if (installUrl) {
  defaults.INTERCOM_CLIENT_ID = 'sandbox-client-id';
  defaults.INTERCOM_OAUTH_URL = `${sandboxUrl}/oauth`;
  if (!configured.THREADLINE_PUBLIC_URL) defaults.THREADLINE_PUBLIC_URL = apiUrl;
  if (!configured.THREADLINE_ENCRYPTION_KEY)
    defaults.THREADLINE_ENCRYPTION_KEY = localEncryptionKey('.data/encryption-key');
}

await requireFreePort(Number(setting('PORT')), 'PORT');
await requireFreePort(Number(setting('WORKER_METRICS_PORT')), 'WORKER_METRICS_PORT');
removeDefaults = writeStartDefaults(process.cwd(), defaults, process.pid);
run('api', 'apps/api/src/main.ts');
run('worker', 'apps/worker/src/main.ts');
await waitForHttp(`${apiUrl}/healthz`, 'the API');
await waitForHttp(workerMetricsUrl.replace('/metrics', '/healthz'), 'the worker');
if (sandboxUrl) {
  // As Intercom checks an endpoint: a signed ping, which `threadline doctor --live` then reports.
  await fetch(`${sandboxUrl}/_sandbox/ping`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      webhook: { url: `${apiUrl}/webhooks/intercom`, clientSecret: setting('INTERCOM_CLIENT_SECRET') },
    }),
  }).catch(() => undefined);
}

const webhookLine = publicUrl
  ? `${publicUrl}/webhooks/intercom   (THREADLINE_PUBLIC_URL: put this in the Developer Hub → Webhooks${
      sandboxUrl ? `; the sandbox sends to ${apiUrl}/webhooks/intercom` : ''
    })`
  : sandboxUrl
    ? `${apiUrl}/webhooks/intercom   (the sandbox sends its webhooks here)`
    : `${apiUrl}/webhooks/intercom   (this machine only: Intercom cannot reach it; set THREADLINE_PUBLIC_URL, docs/deployment.md)`;

console.log(`
Threadline is running.
  API (capture, webhooks):  ${apiUrl}     point posthog-js / posthog-node here (api_host), key: ${setting('CAPTURE_API_KEY')}
  Intercom webhook URL:     ${webhookLine}
  Health / readiness:       ${apiUrl}/healthz  ${apiUrl}/readyz
  Metrics:                  API ${apiMetricsUrl}
                            worker ${workerMetricsUrl}${
                              sandboxUrl
                                ? `
  Intercom sandbox page:    ${sandboxUrl}/   (notes appear here; no INTERCOM_ACCESS_TOKEN is set)${
    installUrl ? `\n  Install into a workspace: ${installUrl}   (OAuth against the sandbox's workspaces)` : ''
  }
  Try it:                   npm run demo     (in another terminal)`
                                : ''
                            }
  Check it:                 ./threadline doctor   (reads the same settings: environment, .env, then .data/start-defaults.json)
Ctrl-C stops everything.
`);
