import { networkInterfaces } from 'node:os';
import { deleteKeysWithPrefix, freePort, testRedisUrl, uniquePrefix } from '@threadline/test-helpers';
import { afterEach, describe, expect, it } from 'vitest';
import { type ServiceProcess, startService, waitForReady } from './processes.js';

/** An address of this machine other than loopback, so a request arrives from a non-local peer. */
function outsideAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((entry) => entry && entry.family === 'IPv4' && !entry.internal)?.address;
}

const started: { service: ServiceProcess; prefix: string }[] = [];

async function startApi(env: Record<string, string>): Promise<number> {
  const port = await freePort();
  const prefix = uniquePrefix('metrics-port');
  const service = startService('api', {
    CAPTURE_API_KEY: 'phc_test_key',
    REDIS_URL: testRedisUrl(),
    THREADLINE_PREFIX: prefix,
    HOST: '0.0.0.0',
    PORT: String(port),
    LOG_LEVEL: 'warn',
    ...env,
  });
  started.push({ service, prefix });
  await waitForReady(`http://127.0.0.1:${port}/healthz`, service);
  return port;
}

afterEach(async () => {
  for (const { service, prefix } of started.splice(0)) {
    await service.stop();
    await deleteKeysWithPrefix(testRedisUrl(), prefix);
  }
});

describe('the API process and METRICS_PORT', () => {
  it('without it, /metrics on the API port answers local scrapes only', async () => {
    const port = await startApi({});
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(200);
    const address = outsideAddress();
    expect(address, 'this machine needs a non-loopback IPv4 address for this test').toBeDefined();
    const outside = await fetch(`http://${address}:${port}/metrics`);
    expect(outside.status).toBe(404);
    expect(await outside.text()).not.toContain('threadline_');
  });

  it('with it, /metrics and /readyz move to their own listener', async () => {
    const metricsPort = await freePort();
    const port = await startApi({ METRICS_PORT: String(metricsPort) });
    await waitForReady(`http://127.0.0.1:${metricsPort}/readyz`, started[0]!.service);
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(404);
    const metrics = await fetch(`http://${outsideAddress()}:${metricsPort}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('threadline_events_accepted_total');
    expect((await fetch(`http://127.0.0.1:${metricsPort}/batch`, { method: 'POST' })).status).toBe(404);
  });
});
