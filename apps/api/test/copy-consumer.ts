import { createCopyRecorder, defaultCaptureLimits, startSpoolConsumer } from '@threadline/capture';
import { captureConfiguration } from '@threadline/composition';
import { RedisCaptureSpool, RedisKeys } from '@threadline/redis-store';
import type { ComposedApi } from '../src/compose.js';
import { SlicedDescriber } from '../src/routes/capture/capture-guards.js';

/**
 * What a worker runs with an upstream set (apps/worker/src/capture-copies.ts), in the test's process:
 * the spool's consumer recording copies through the capture use case over the API's own adapters.
 */
export function startCopyConsumer(composed: ComposedApi) {
  const { deps } = composed;
  const { config } = deps;
  const blocking = deps.openBlockingRedis();
  const capture = captureConfiguration(config, defaultCaptureLimits.maxEventsPerBatch);
  const record = createCopyRecorder({
    dependencies: {
      reader: deps.captureReader,
      quota: deps.captureQuota,
      storage: {
        isConnected: deps.isRedisConnected,
        get isAboveHighWater() {
          return deps.redisMemory.isAboveHighWater;
        },
      },
      slicer: new SlicedDescriber(2),
      activity: deps.activity,
      links: deps.links,
      ...(deps.identities ? { identities: deps.identities } : {}),
      requestDelivery: (conversationId) => deps.deliveries.request(conversationId),
      settings: capture.settings,
      now: deps.now,
    },
    keys: capture.keys,
    identitySecret: capture.identitySecret,
  });
  const spool = new RedisCaptureSpool(blocking, new RedisKeys(config.prefix), blocking);
  const consumer = startSpoolConsumer({ spool, record, consumer: 'test-consumer', blockMs: 200 });
  return {
    async close() {
      await consumer.close();
      blocking.disconnect();
    },
  };
}
