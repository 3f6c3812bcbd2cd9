import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { RedisKeys, RedisProductFeed } from '@threadline/redis-store';
import { deleteKeysWithPrefix, freePort, testRedisUrl, uniquePrefix } from '@threadline/test-helpers';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ServiceProcess, startService, waitForReady } from './processes.js';

const key = 'e2e_stream_key_0123456789';
const prefix = uniquePrefix('e2e-stream');
let api: ServiceProcess;
let port: number;
let redis: Redis;
/**
 * The API runs with a heap this small: buffering the 120 MB flood for a client that never reads would
 * not fit in it, so the process would die, where the readings of resident memory alone vary with when
 * the collector runs.
 */
const heapLimitMegabytes = 160;

/** Resident memory of a process, from /proc (bytes). */
function rssOf(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
  return Number(line?.[1] ?? 0) * 1024;
}

async function flood(feed: RedisProductFeed, megabytes: number): Promise<void> {
  const description = 'y'.repeat(2000);
  for (let sent = 0; sent < megabytes * 1024 * 1024; sent += 100 * 2100) {
    await feed.append(
      'default',
      Array.from({ length: 100 }, (_, index) => ({
        userId: `flood-${index % 7}`,
        action: { at: new Date().toISOString(), type: 'custom' as const, description },
      })),
    );
  }
}

beforeAll(async () => {
  port = await freePort();
  redis = new Redis(testRedisUrl());
  api = startService(
    'api',
    {
      CAPTURE_API_KEY: 'phc_test_key',
      REDIS_URL: testRedisUrl(),
      THREADLINE_PREFIX: prefix,
      MCP_API_KEYS: `${key}:default`,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
    },
    [`--max-old-space-size=${heapLimitMegabytes}`],
  );
  await waitForReady(`http://127.0.0.1:${port}/healthz`, api);
});
afterAll(async () => {
  await api.stop();
  redis.disconnect();
  await deleteKeysWithPrefix(testRedisUrl(), prefix);
});

it('cuts off a stream client that never reads, and the API process stays flat in memory', async () => {
  const feed = new RedisProductFeed(redis, new RedisKeys(prefix), {
    retentionSeconds: 3600,
    maxEntries: 1_000_000,
  });
  const pid = api.child.pid ?? 0;
  // Warm up with the same flood read by a client that keeps up, so the baseline includes what reading
  // and fanning out the feed costs the process (its heap grows to that once).
  const reader = connect(port, '127.0.0.1');
  await new Promise((resolve) => reader.once('connect', resolve));
  reader.write(`GET /v1/stream/default HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${key}\r\n\r\n`);
  let readBytes = 0;
  reader.on('data', (chunk: Buffer) => {
    readBytes += chunk.length;
  });
  await new Promise((resolve) => setTimeout(resolve, 300));
  const cold = rssOf(pid);
  await flood(feed, 120);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  reader.destroy();
  expect(readBytes).toBeGreaterThan(100 * 2 ** 20);
  const socket = connect(port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(`GET /v1/stream/default HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${key}\r\n\r\n`);
  socket.pause();
  await new Promise((resolve) => setTimeout(resolve, 500));
  const before = rssOf(pid);
  const floodMegabytes = 120;
  await flood(feed, floodMegabytes);
  // The lowest of a few readings: what is still held, not garbage the collector has yet to return
  // (on a loaded machine it runs late).
  let after = Number.POSITIVE_INFINITY;
  for (let reading = 0; reading < 6; reading += 1) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    after = Math.min(after, rssOf(pid));
  }
  let received = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    received += chunk;
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.resume();
  await closed;
  process.stdout.write(
    `stream slow client: warm-up with a reading client ${(cold / 2 ** 20).toFixed(0)} → ${(before / 2 ** 20).toFixed(0)} MB; then ${floodMegabytes} MB through the feed, API RSS ${(before / 2 ** 20).toFixed(0)} → ${(after / 2 ** 20).toFixed(0)} MB, client got ${(received.length / 2 ** 20).toFixed(1)} MB before the cut-off\n`,
  );
  expect(received).toContain('"reason":"too_slow"');
  expect(received.length).toBeLessThan(32 * 2 ** 20);
  // Buffering the flood for the client would not have fitted in the heap: the process is still serving.
  expect(api.child.exitCode).toBeNull();
  expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  // Resident memory, which also counts garbage not yet returned: reported above, bounded loosely.
  expect(after - before).toBeLessThan(heapLimitMegabytes * 2 ** 20);
}, 180_000);
