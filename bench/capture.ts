/**
 * Capture benchmark: the real API against a bare Fastify route that only parses the same JSON, in
 * the same run, with autocannon. Prints a table. Run with `pnpm bench:capture` (or
 * `npx tsx bench/capture.ts`); needs Redis at REDIS_URL (default redis://127.0.0.1:6379).
 *
 * Each server runs in a child process of its own, so the load generator does not share its event
 * loop. Options (env): BENCH_DURATION_S (default 10), BENCH_CONNECTIONS (default 32), BENCH_ONLY (a
 * pattern: only the runs whose name it matches, e.g. `50 users`; the goal table then shows what it can), and
 * BENCH_CPU_PROF_DIR (the API processes write a V8 CPU profile there when they stop).
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import {
  deletePrefix,
  measureActionStreams,
  startBareRoute,
  startCaptureApi,
} from '../apps/api/test/capture-bench-targets.js';
import { reportFigures } from './report.js';
import { loadBodies, type ServeChild, spawnServeChild, stopServeChild } from './serve-child.js';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const durationSeconds = Number(process.env.BENCH_DURATION_S ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const only = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY) : undefined;
const cpuProfileDir = process.env.BENCH_CPU_PROF_DIR;
const apiKey = 'phc_bench_key';
const users = 1000;
const batchSize = 50;
/** The API started with identity checking on (`CAPTURE_IDENTITY=require`) checks every event's hash. */
const identitySecret = 'bench-identity-secret-0123456789abcdef';
const userHash = (userId: string) => createHmac('sha256', identitySecret).update(userId).digest('hex');

// ---------------------------------------------------------------------------------------------
// Realistic posthog-js events (properties as 1.434 sends them), one user per request.

const pages = ['/pricing', '/billing', '/settings/team', '/projects/42/board', '/checkout'];
const buttons = ['Upgrade plan', 'Save changes', 'Invite teammate', 'Export CSV', 'Pay now'];

function baseProperties(userId: string, page: string) {
  return {
    $os: 'Mac OS X',
    $os_version: '14.5.0',
    $browser: 'Chrome',
    $browser_version: 126,
    $device_type: 'Desktop',
    $current_url: `https://app.acme.io${page}?utm_source=newsletter`,
    $host: 'app.acme.io',
    $pathname: page,
    $raw_user_agent:
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
    $screen_height: 1117,
    $screen_width: 1728,
    $viewport_height: 992,
    $viewport_width: 1728,
    $lib: 'web',
    $lib_version: '1.434.18',
    $insert_id: randomBytes(8).toString('hex'),
    $time: Date.now() / 1000,
    distinct_id: userId,
    $device_id: '01a1fd77-7f45-7524-92e3-6992bf8a6152',
    $user_id: userId,
    $is_identified: true,
    $session_id: '01a1fd77-7f45-7524-92e3-69930e3a4b1c',
    $window_id: '01a1fd77-7f45-7524-92e3-6994ad1f6c3e',
    $pageview_id: '01a1fd77-7f45-7524-92e3-6995c6b3d2aa',
    $referrer: '$direct',
    $referring_domain: '$direct',
    token: apiKey,
  };
}

function event(userId: string, index: number) {
  const page = pages[index % pages.length]!;
  const text = buttons[index % buttons.length]!;
  const properties = baseProperties(userId, page);
  const timestamp = new Date().toISOString();
  if (index % 10 === 0) {
    return {
      uuid: randomUUID(),
      event: '$pageview',
      properties: { ...properties, title: 'Acme' },
      timestamp,
    };
  }
  return {
    uuid: randomUUID(),
    event: '$autocapture',
    properties: {
      ...properties,
      $event_type: 'click',
      $ce_version: 1,
      $el_text: text,
      $elements_chain: `button.btn.btn-primary:attr__class="btn btn-primary"attr__type="button"nth-child="2"nth-of-type="1"text="${text}";div.toolbar:attr__class="toolbar"nth-child="1"nth-of-type="1";main:nth-child="2"nth-of-type="1";body:nth-child="2"nth-of-type="1"`,
    },
    timestamp,
  };
}

/** Request bodies, each for one user, rotated through by the load generator. */
function bodies(eventsPerRequest: number, count: number, options: { withHash?: boolean } = {}): string[] {
  return Array.from({ length: count }, (_, request) => {
    const userId = `bench-user-${request % users}`;
    const hash = options.withHash ? userHash(userId) : undefined;
    const events = Array.from({ length: eventsPerRequest }, (_, index) => {
      const built = event(userId, request + index);
      // posthog-js sends it on every event after `posthog.register({ $user_hash })`.
      if (hash) (built.properties as Record<string, unknown>).$user_hash = hash;
      return built;
    });
    return JSON.stringify(eventsPerRequest === 1 ? events[0] : events);
  });
}

/**
 * A backend's batch (posthog-node 5 as it posts `/batch/`): one small event for each of 50 different
 * users, the shape where per-user Redis work dominates.
 */
function multiUserBodies(count: number): string[] {
  return Array.from({ length: count }, (_, request) =>
    JSON.stringify({
      api_key: apiKey,
      batch: Array.from({ length: batchSize }, (_, index) => ({
        uuid: randomUUID(),
        distinct_id: `bench-backend-user-${(request * batchSize + index) % (users * 10)}`,
        event: index % 2 === 0 ? 'invoice_paid' : 'plan_changed',
        type: 'capture',
        library: 'posthog-node',
        library_version: '5.8.1',
        timestamp: new Date().toISOString(),
        properties: { $lib: 'posthog-node', $lib_version: '5.8.1', plan: 'pro', amount: 49 },
      })),
      sent_at: new Date().toISOString(),
    }),
  );
}

// ---------------------------------------------------------------------------------------------

type Server = ServeChild;

function spawnServer(kind: 'api' | 'api-identity' | 'bare', prefix: string): Promise<Server> {
  return spawnServeChild(
    import.meta.url,
    [kind, prefix],
    { REDIS_URL: redisUrl },
    cpuProfileDir && kind !== 'bare' ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`] : [],
  );
}

const stopServer = stopServeChild;

interface Run {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

async function load(
  url: string,
  path: string,
  requestBodies: string[],
  options: { overallRate?: number; duration?: number } = {},
): Promise<Run> {
  const result = await loadBodies(url, path, requestBodies, {
    connections,
    duration: options.duration ?? durationSeconds,
    ...(options.overallRate ? { overallRate: options.overallRate } : {}),
  });
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

/**
 * The columns of the run table. The CPU columns are what a request cost, whatever else runs on the
 * machine: the server process's CPU time (`/proc/<pid>/stat`, all its threads) and Redis's (`INFO
 * cpu`: the whole server, so only meaningful on a Redis of the benchmark's own), per request.
 */
const runColumns = [
  'run',
  'events/s',
  'requests/s',
  'p50 ms',
  'p99 ms',
  'errors + non-2xx',
  'server CPU µs/request',
  'Redis CPU µs/request',
] as const;

const clockTicksPerSecond = 100;

async function cpuSeconds(server: Server): Promise<{ process: number; redis: number }> {
  const stat = await readFile(`/proc/${server.child.pid}/stat`, 'utf8').catch(() => '');
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
  const redis = new Redis(redisUrl);
  try {
    const info = await redis.info('cpu');
    const value = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
    return { process: ticks / clockTicksPerSecond, redis: value('used_cpu_sys') + value('used_cpu_user') };
  } finally {
    redis.disconnect();
  }
}

function row(cells: (string | number)[]): string {
  return `| ${cells.join(' | ')} |`;
}

async function main(): Promise<void> {
  const prefix = `tl-bench-${randomBytes(4).toString('hex')}`;
  const batchBodies = bodies(batchSize, 400);
  const hashedBatchBodies = bodies(batchSize, 400, { withHash: true });
  const singleBodies = bodies(1, 4000);
  const multiUserBatchBodies = multiUserBodies(400);
  const results: string[] = [];
  const summary: Record<string, number> = {};

  const bare = await spawnServer('bare', prefix);
  const api = await spawnServer('api', prefix);
  const verifying = await spawnServer('api-identity', `${prefix}-id`);
  try {
    const runs: [string, Server, string, string[], number, { overallRate?: number; duration?: number }][] = [
      ['bare route, batches of 50', bare, '/batch/', batchBodies, batchSize, {}],
      ['Threadline API, batches of 50', api, '/batch/', batchBodies, batchSize, {}],
      [
        'Threadline API, identity checked (require), batches of 50',
        verifying,
        '/batch/',
        hashedBatchBodies,
        batchSize,
        {},
      ],
      ['bare route, batches of 50 users', bare, '/batch/', multiUserBatchBodies, batchSize, {}],
      ['Threadline API, batches of 50 users', api, '/batch/', multiUserBatchBodies, batchSize, {}],
      ['bare route, single events', bare, '/e/', singleBodies, 1, {}],
      ['Threadline API, single events', api, '/e/', singleBodies, 1, {}],
      ['bare route, single events at 5,000 req/s', bare, '/e/', singleBodies, 1, { overallRate: 5000 }],
      ['Threadline API, single events at 5,000 req/s', api, '/e/', singleBodies, 1, { overallRate: 5000 }],
    ];
    const selected = runs.filter(([name]) => !only || only.test(name));
    // A short warm-up each, so JIT and connection pools are settled before anything is measured.
    for (const [name, server, path, requestBodies] of selected)
      if (!name.includes('5,000')) await load(server.url, path, requestBodies, { duration: 2 });
    for (const [name, server, path, requestBodies, eventsPerRequest, options] of selected) {
      const cpuBefore = await cpuSeconds(server);
      const run = await load(server.url, path, requestBodies, options);
      const cpuAfter = await cpuSeconds(server);
      const requests = run.requestsPerSecond * (options.duration ?? durationSeconds);
      const perRequest = (key: 'process' | 'redis') =>
        requests > 0 ? Math.round(((cpuAfter[key] - cpuBefore[key]) * 1e6) / requests) : 0;
      const eventsPerSecond = Math.round(run.requestsPerSecond * eventsPerRequest);
      summary[name] = eventsPerSecond;
      summary[`${name} p99`] = run.p99;
      results.push(
        row([
          name,
          eventsPerSecond.toLocaleString('en-US'),
          Math.round(run.requestsPerSecond).toLocaleString('en-US'),
          run.p50,
          run.p99,
          run.errors + run.non2xx,
          perRequest('process'),
          perRequest('redis'),
        ]),
      );
    }

    if (only) {
      console.log(row([...runColumns]));
      console.log(row(runColumns.map((_, index) => (index === 0 ? '---' : '---:'))));
      for (const line of results) console.log(line);
      for (const shape of ['batches of 50', 'batches of 50 users', 'single events']) {
        const threadline = summary[`Threadline API, ${shape}`];
        const bareFigure = summary[`bare route, ${shape}`];
        if (threadline && bareFigure)
          console.log(`${shape}: API / bare ${(threadline / bareFigure).toFixed(3)}×`);
      }
      return;
    }

    // Storage: a fresh prefix's worth of 200 actions for each of 1,000 users.
    await deletePrefix(redisUrl, prefix);
    const fill: string[] = [];
    for (let user = 0; user < users; user += 1) {
      for (let chunk = 0; chunk < 200 / batchSize; chunk += 1) {
        const userId = `bench-user-${user}`;
        fill.push(
          JSON.stringify(
            Array.from({ length: batchSize }, (_, index) => event(userId, chunk * batchSize + index)),
          ),
        );
      }
    }
    await autocannon({
      url: `${api.url}/batch/`,
      connections: 8,
      amount: fill.length,
      requests: [
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          setupRequest: (request) => ({ ...request, body: fill.shift() }),
        },
      ],
    });
    const storage = await measureActionStreams(redisUrl, prefix);

    const ratio = summary['Threadline API, batches of 50']! / summary['bare route, batches of 50']!;
    const identityRatio =
      summary['Threadline API, identity checked (require), batches of 50']! /
      summary['bare route, batches of 50']!;
    const identityCost = identityRatio / ratio;
    const multiUserRatio =
      summary['Threadline API, batches of 50 users']! / summary['bare route, batches of 50 users']!;
    const singleRatio = summary['Threadline API, single events']! / summary['bare route, single events']!;
    const bytesPerAction = storage.bytes / storage.actions;
    const otherBytesPerAction = storage.otherUserKeyBytes / storage.actions;
    const p99At5k = summary['Threadline API, single events at 5,000 req/s p99']!;

    console.log(
      `\nCapture benchmark — ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), node ${process.version}, ` +
        `${connections} connections, ${durationSeconds} s per run\n`,
    );
    console.log(row([...runColumns]));
    console.log(row(runColumns.map((_, index) => (index === 0 ? '---' : '---:'))));
    for (const line of results) console.log(line);
    console.log('');
    console.log(row(['goal', 'measured', 'target', 'met']));
    console.log(row(['---', '---:', '---:', '---']));
    console.log(
      row([
        'batches of 50: API / bare route',
        `${ratio.toFixed(2)}×`,
        '≥ 0.45× (issue 13: 0.35×)',
        ratio >= 0.45 ? 'yes' : 'NO',
      ]),
    );
    console.log(
      row([
        'batches of 50, identity checked: API / bare route, against identity off',
        `${identityRatio.toFixed(2)}× (${identityCost.toFixed(2)} of off)`,
        '≥ 0.90 of off',
        identityCost >= 0.9 ? 'yes' : 'NO',
      ]),
    );
    console.log(
      row([
        'batches of 50 users (one small event each): API / bare route',
        `${multiUserRatio.toFixed(2)}×`,
        '≥ 0.15×',
        multiUserRatio >= 0.15 ? 'yes' : 'NO',
      ]),
    );
    console.log(row(['single events: API / bare route', `${singleRatio.toFixed(2)}×`, '(no goal)', '']));
    console.log(
      row(['single-event p99 at 5,000 req/s', `${p99At5k} ms`, '≤ 10 ms', p99At5k <= 10 ? 'yes' : 'NO']),
    );
    console.log(
      row([
        `Redis bytes per action (${storage.actions.toLocaleString('en-US')} actions, ${storage.streams} streams)`,
        Math.round(bytesPerAction),
        '≤ 300',
        bytesPerAction <= 300 ? 'yes' : 'NO',
      ]),
    );
    console.log(
      row([
        'plus each user’s dedupe sets and identified marker, per action',
        Math.round(otherBytesPerAction),
        `(total ${Math.round(bytesPerAction + otherBytesPerAction)})`,
        '',
      ]),
    );
    reportFigures([
      {
        benchmark: 'capture',
        name: 'batches of 50: API / bare route',
        value: Number(ratio.toFixed(2)),
        unit: '×',
        goal: '≥ 0.45',
        met: ratio >= 0.45,
      },
      {
        benchmark: 'capture',
        name: 'batches of 50 users: API / bare route',
        value: Number(multiUserRatio.toFixed(2)),
        unit: '×',
        goal: '≥ 0.15',
        met: multiUserRatio >= 0.15,
      },
      {
        benchmark: 'capture',
        name: 'batches of 50 with identity checked: share of the ratio with it off',
        value: Number(identityCost.toFixed(2)),
        unit: '×',
        goal: '≥ 0.90',
        met: identityCost >= 0.9,
      },
      {
        benchmark: 'capture',
        name: 'single-event p99 at 5,000 req/s',
        value: p99At5k,
        unit: 'ms',
        goal: '≤ 10',
        met: p99At5k <= 10,
      },
      {
        benchmark: 'capture',
        name: 'Redis bytes per stored action',
        value: Math.round(bytesPerAction),
        unit: 'B',
        goal: '≤ 300',
        met: bytesPerAction <= 300,
      },
    ]);
  } finally {
    await Promise.all([stopServer(bare), stopServer(api), stopServer(verifying)]);
    await deletePrefix(redisUrl, prefix);
    await deletePrefix(redisUrl, `${prefix}-id`);
  }
}

// ---------------------------------------------------------------------------------------------
// Child mode: `capture.ts --serve api|bare <prefix>` starts one server and prints its URL.
if (process.argv[2] === '--serve') {
  const kind = process.argv[3];
  const target =
    kind === 'bare'
      ? await startBareRoute()
      : await startCaptureApi({
          redisUrl,
          prefix: process.argv[4]!,
          apiKey,
          ...(kind === 'api-identity' ? { identitySecret } : {}),
        });
  process.stdout.write(`${JSON.stringify({ url: target.url })}\n`);
  process.on('SIGTERM', () => {
    void target.close().then(() => process.exit(0));
  });
} else {
  await main();
}
