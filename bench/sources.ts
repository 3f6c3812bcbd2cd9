/**
 * Capture throughput per source: the real API's PostHog, Segment and Amplitude routes, each against a
 * bare Fastify route that only parses the same body, in the same run, with autocannon. Prints a
 * table. Run with `pnpm bench:sources`; needs Redis at REDIS_URL (default redis://127.0.0.1:6379).
 *
 * Every body is a batch of 50 events of one user with the same content in each source's own shape
 * (PostHog batch, Segment `/v1/batch` as analytics-node sends it, Amplitude HTTP V2 with autocapture
 * events as the browser SDK sends them). Options (env): BENCH_DURATION_S (default 5),
 * BENCH_CONNECTIONS (default 32).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { deletePrefix, startBareRoute, startCaptureApi } from '../apps/api/test/capture-bench-targets.js';
import { reportFigures } from './report.js';
import { loadBodies, type ServeChild, spawnServeChild, stopServeChild } from './serve-child.js';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const durationSeconds = Number(process.env.BENCH_DURATION_S ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const apiKey = 'phc_bench_key';
const users = 1000;
const batchSize = 50;
const pages = ['/pricing', '/billing', '/settings/team', '/projects/42/board', '/checkout'];
const buttons = ['Upgrade plan', 'Save changes', 'Invite teammate', 'Export CSV', 'Pay now'];

interface Step {
  userId: string;
  page: string;
  button: string;
  isPageView: boolean;
}

function steps(request: number): Step[] {
  const userId = `bench-user-${request % users}`;
  return Array.from({ length: batchSize }, (_, index) => ({
    userId,
    page: pages[(request + index) % pages.length] as string,
    button: buttons[(request + index) % buttons.length] as string,
    isPageView: (request + index) % 10 === 0,
  }));
}

function posthogBody(request: number): string {
  const batch = steps(request).map(({ userId, page, button, isPageView }) => ({
    uuid: randomUUID(),
    event: isPageView ? '$pageview' : '$autocapture',
    timestamp: new Date().toISOString(),
    properties: {
      distinct_id: userId,
      $current_url: `https://app.acme.io${page}`,
      $pathname: page,
      $session_id: '01a1fd77-7f45-7524-92e3-69930e3a4b1c',
      $lib: 'web',
      $browser: 'Chrome',
      ...(isPageView
        ? { title: 'Acme' }
        : {
            $event_type: 'click',
            $el_text: button,
            $elements_chain: `button.btn:attr__type="button"nth-child="2"nth-of-type="1"text="${button}";div.toolbar:nth-child="1"nth-of-type="1";body:nth-child="2"nth-of-type="1"`,
          }),
    },
  }));
  return JSON.stringify({ api_key: apiKey, batch });
}

function segmentBody(request: number): string {
  const batch = steps(request).map(({ userId, page, button, isPageView }) => ({
    type: isPageView ? 'page' : 'track',
    ...(isPageView ? { name: 'Acme' } : { event: `${button} Clicked` }),
    userId,
    anonymousId: '01a1fd77-7f45-7524-92e3-6992bf8a6152',
    messageId: randomUUID(),
    timestamp: new Date().toISOString(),
    properties: isPageView ? { path: page, url: `https://app.acme.io${page}` } : { plan: 'Pro' },
    context: { library: { name: '@segment/analytics-node', version: '3.1.0' }, page: { path: page } },
  }));
  return JSON.stringify({ writeKey: apiKey, batch, sentAt: new Date().toISOString() });
}

function amplitudeBody(request: number): string {
  const events = steps(request).map(({ userId, page, button, isPageView }) => ({
    user_id: userId,
    device_id: '01a1fd77-7f45-7524-92e3-6992bf8a6152',
    session_id: 1772366380000,
    time: Date.now(),
    insert_id: randomUUID(),
    platform: 'Web',
    library: 'amplitude-ts/2.48.1',
    event_type: isPageView ? '[Amplitude] Page Viewed' : '[Amplitude] Element Clicked',
    event_properties: isPageView
      ? {
          '[Amplitude] Page Path': page,
          '[Amplitude] Page Location': `https://app.acme.io${page}`,
          '[Amplitude] Page Title': 'Acme',
        }
      : {
          '[Amplitude] Element Tag': 'button',
          '[Amplitude] Element Text': button,
          '[Amplitude] Element Class': 'btn',
          '[Amplitude] Page URL': `https://app.acme.io${page}`,
          '[Amplitude] Element Hierarchy': [
            { tag: 'body' },
            { tag: 'div', classes: ['toolbar'] },
            { tag: 'button', attrs: { type: 'button' } },
          ],
        },
  }));
  return JSON.stringify({ api_key: apiKey, events, client_upload_time: new Date().toISOString() });
}

const sources = [
  { name: 'PostHog /batch/', path: '/batch/', body: posthogBody },
  { name: 'Segment /segment/v1/batch', path: '/segment/v1/batch', body: segmentBody },
  { name: 'Amplitude /amplitude/2/httpapi', path: '/amplitude/2/httpapi', body: amplitudeBody },
] as const;

type Server = ServeChild;

const spawnServer = (kind: 'api' | 'bare', prefix: string): Promise<Server> =>
  spawnServeChild(import.meta.url, [kind, prefix], { REDIS_URL: redisUrl });

const stopServer = stopServeChild;

async function load(url: string, path: string, bodies: string[], duration = durationSeconds) {
  const result = await loadBodies(url, path, bodies, { connections, duration });
  return {
    eventsPerSecond: Math.round(result.requests.average * batchSize),
    p99: result.latency.p99,
    failures: result.errors + result.timeouts + result.non2xx,
  };
}

const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;

async function main(): Promise<void> {
  const prefix = `tl-bench-sources-${randomBytes(4).toString('hex')}`;
  const bare = await spawnServer('bare', prefix);
  const api = await spawnServer('api', prefix);
  const lines: string[] = [];
  const figures = [];
  try {
    for (const source of sources) {
      const bodies = Array.from({ length: 400 }, (_, request) => source.body(request));
      // Warm-up, then the bare route and the API back to back on the same bodies.
      await load(bare.url, source.path, bodies, 1);
      await load(api.url, source.path, bodies, 1);
      const baseline = await load(bare.url, source.path, bodies);
      const measured = await load(api.url, source.path, bodies);
      const ratio = measured.eventsPerSecond / baseline.eventsPerSecond;
      lines.push(
        row([
          source.name,
          baseline.eventsPerSecond.toLocaleString('en-US'),
          measured.eventsPerSecond.toLocaleString('en-US'),
          `${ratio.toFixed(2)}×`,
          measured.p99,
          baseline.failures + measured.failures,
        ]),
      );
      figures.push({
        benchmark: 'sources',
        name: `${source.name}, batches of 50: API / bare route`,
        value: Number(ratio.toFixed(2)),
        unit: '×',
        goal: '≥ 0.35',
        met: ratio >= 0.35,
      });
    }
    console.log(
      `\nSource capture benchmark — ${cpus().length} CPUs, node ${process.version}, ${connections} connections, ` +
        `${durationSeconds} s per run, load ${loadavg()[0]?.toFixed(2)}\n`,
    );
    console.log(
      row(['source', 'bare route events/s', 'API events/s', 'API / bare', 'API p99 ms', 'errors + non-2xx']),
    );
    console.log(row(['---', '---:', '---:', '---:', '---:', '---:']));
    for (const line of lines) console.log(line);
    reportFigures(figures);
  } finally {
    await Promise.all([stopServer(bare), stopServer(api)]);
    await deletePrefix(redisUrl, prefix);
  }
}

if (process.argv[2] === '--serve') {
  const target =
    process.argv[3] === 'bare'
      ? await startBareRoute(sources.map((source) => source.path))
      : await startCaptureApi({ redisUrl, prefix: process.argv[4] as string, apiKey });
  process.stdout.write(`${JSON.stringify({ url: target.url })}\n`);
  process.on('SIGTERM', () => {
    void target.close().then(() => process.exit(0));
  });
} else {
  await main();
}
