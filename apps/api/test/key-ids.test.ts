import { hashAccessKey, legacyEnvironmentKeyId } from '@threadline/core';
import { RedisKeys } from '@threadline/redis-store';
import { deleteKeysWithPrefix, testRedisUrl, uniquePrefix } from '@threadline/test-helpers';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestApi } from './test-api.js';

const envKey = 'mcp_ids_key_0123456789abcdef';
const prefix = uniquePrefix('key-ids');
const redis = new Redis(testRedisUrl());
afterAll(async () => {
  redis.disconnect();
  await deleteKeysWithPrefix(testRedisUrl(), prefix);
});

describe('environment key ids at API start', () => {
  it('are keyed, shared by every replica, and replace the old plain-hash ids in Redis', async () => {
    const keys = new RedisKeys(prefix);
    const legacyId = legacyEnvironmentKeyId(envKey);
    await redis.hset(
      keys.accessKeysLastUsed(),
      legacyId,
      '2026-01-01T00:00:00.000Z',
      'tlk-other',
      '2026-01-02T00:00:00.000Z',
    );
    const env = { THREADLINE_PREFIX: prefix, MCP_API_KEYS: `${envKey}:default` };
    const first = await startTestApi(env);
    const second = await startTestApi(env);
    try {
      const [id] = first.composed.deps.environmentKeys.map((key) => key.id);
      expect(id).toMatch(/^env-[0-9a-f]{12}$/);
      expect(hashAccessKey(envKey).startsWith(id?.slice(4) ?? '')).toBe(false);
      expect(second.composed.deps.environmentKeys[0]?.id).toBe(id);
      expect(await redis.hkeys(keys.accessKeysLastUsed())).toEqual(['tlk-other']);

      const response = await first.app.inject({
        method: 'GET',
        url: '/v1/users/default/u1/activity',
        headers: { authorization: `Bearer ${envKey}` },
      });
      expect(response.statusCode).toBe(200);
      expect((await redis.hkeys(keys.accessKeysLastUsed())).sort()).toEqual([id, 'tlk-other'].sort());
    } finally {
      await first.app.close();
      await first.composed.close();
      await second.app.close();
      await second.composed.close();
    }
  });
});
