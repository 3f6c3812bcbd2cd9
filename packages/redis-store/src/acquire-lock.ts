import { randomUUID } from 'node:crypto';
import type { DeliveryLock } from '@threadline/core';
import type { RedisClient } from './create-redis.js';
import { defineLuaScript } from './lua-script.js';

const releaseIfOwner = defineLuaScript<'lock', 'token', { released: number }>(
  new URL('./lua/release-lock.lua', import.meta.url),
);
const extendIfOwner = defineLuaScript<'lock', 'token' | 'ttlMs', { extended: number }>(
  new URL('./lua/extend-lock.lua', import.meta.url),
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
      await releaseIfOwner.run(redis, { lock: key }, { token });
    },
    extend: async (extendMs) =>
      (await extendIfOwner.run(redis, { lock: key }, { token, ttlMs: extendMs })).extended === 1,
  };
}
