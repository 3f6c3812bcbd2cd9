import { deleteKeysWithPrefix, testRedisUrl, uniquePrefix } from '@threadline/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, type RedisClient } from './create-redis.js';
import { RedisKeys } from './redis-keys.js';
import { RedisWebhookLog } from './redis-webhook-log.js';

const prefix = uniquePrefix('webhook-log');
const keys = new RedisKeys(prefix);
let redis: RedisClient;
let log: RedisWebhookLog;

beforeAll(() => {
  redis = createRedis(testRedisUrl(), 'worker', () => {});
  log = new RedisWebhookLog(redis, keys);
});
afterAll(async () => {
  await deleteKeysWithPrefix(testRedisUrl(), prefix);
  redis.disconnect();
});

describe('RedisWebhookLog', () => {
  it('starts empty', async () => {
    expect(await log.read()).toEqual({
      lastPingAt: null,
      lastVerifiedAt: null,
      lastVerifiedTopic: null,
      lastBadSignatureAt: null,
      badSignatures: 0,
      topics: [],
    });
  });

  it('keeps the last ping, the last verified delivery, bad signatures counted, and each topic seen', async () => {
    await log.record({ isVerified: true, topic: 'ping', at: new Date('2026-01-01T10:00:00Z') });
    await log.record({
      isVerified: true,
      topic: 'conversation.user.created',
      at: new Date('2026-01-01T10:05:00Z'),
    });
    await log.record({ isVerified: false, topic: undefined, at: new Date('2026-01-01T10:06:00Z') });
    await log.record({ isVerified: false, topic: undefined, at: new Date('2026-01-01T10:07:00Z') });
    await log.record({
      isVerified: true,
      topic: 'conversation.user.created',
      at: new Date('2026-01-01T10:08:00Z'),
    });
    expect(await log.read()).toEqual({
      lastPingAt: '2026-01-01T10:00:00.000Z',
      lastVerifiedAt: '2026-01-01T10:08:00.000Z',
      lastVerifiedTopic: 'conversation.user.created',
      lastBadSignatureAt: '2026-01-01T10:07:00.000Z',
      badSignatures: 2,
      topics: [
        { topic: 'conversation.user.created', lastSeenAt: '2026-01-01T10:08:00.000Z' },
        { topic: 'ping', lastSeenAt: '2026-01-01T10:00:00.000Z' },
      ],
    });
  });

  it('keeps both hashes in one cluster slot', () => {
    const tag = (key: string) => key.slice(key.indexOf('{'), key.indexOf('}') + 1);
    expect(tag(keys.webhookLog())).toBe(tag(keys.webhookTopics()));
  });
});
