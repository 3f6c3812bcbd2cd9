import { randomUUID } from 'node:crypto';
import type { DeliveryLock } from '@threadline/core';
import type { RedisClient } from './create-redis.js';
import { LuaScript } from './lua-script.js';

const releaseIfOwner = new LuaScript(
  `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`,
);
const extendIfOwner = new LuaScript(
  `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`,
);

/**
 * A lock held in one key (`SET NX PX` with a random token). Only its holder can extend or release it,
 * so a holder whose lock lapsed cannot free the lock of the one who took it over.
 */
export async function acquireLock(
  redis: RedisClient,
  key: string,
  ttlMs: number,
): Promise<DeliveryLock | null> {
  const token = randomUUID();
  if ((await redis.set(key, token, 'PX', ttlMs, 'NX')) !== 'OK') return null;
  return {
    release: async () => {
      await releaseIfOwner.run(redis, [key], [token]);
    },
    extend: async (extendMs) => Number(await extendIfOwner.run(redis, [key], [token, extendMs])) === 1,
  };
}
