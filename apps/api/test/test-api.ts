import { type Config, loadConfig } from '@threadline/config';
import { createLogger } from '@threadline/observability';
import { deleteKeysWithPrefix, testRedisUrl, uniquePrefix } from '@threadline/test-helpers';
import { buildServer, type ThreadlineServer } from '../src/build-server.js';
import { compose } from '../src/compose.js';
import { startCopyConsumer } from './copy-consumer.js';

export interface TestApi extends ThreadlineServer {
  config: Config;
  composed: Awaited<ReturnType<typeof compose>>;
  close(): Promise<void>;
}

/** The real API app over the run's Redis, under a key prefix of its own. */
export async function startTestApi(env: Record<string, string> = {}): Promise<TestApi> {
  const prefix = uniquePrefix('api');
  const result = loadConfig({
    CAPTURE_API_KEY: 'phc_test_key',
    INTERCOM_CLIENT_SECRET: 'test_client_secret',
    REDIS_URL: testRedisUrl(),
    THREADLINE_PREFIX: prefix,
    LOG_LEVEL: 'silent',
    ...env,
  });
  if (!result.ok) throw new Error(result.problems.join('\n'));
  const config = result.config;
  const composed = await compose(config, createLogger({ level: 'silent' }));
  const server = await buildServer(composed.deps);
  const { posthog, segment, amplitude } = config.upstreams;
  // With an upstream, copies are spooled: a worker records them, here one in the test's process.
  const copies = posthog || segment || amplitude ? startCopyConsumer(composed) : undefined;
  return {
    ...server,
    config,
    composed,
    async close() {
      await server.app.close();
      await copies?.close();
      await composed.close();
      await deleteKeysWithPrefix(testRedisUrl(), prefix);
    },
  };
}
