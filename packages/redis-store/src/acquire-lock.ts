import { randomUUID } from 'node:crypto';
import type { DeliveryLock } from '@threadline/core';
import type { RedisClient } from './create-redis.js';

const releaseIfOwner = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const extendIfOwner = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;

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
      await redis.eval(releaseIfOwner, 1, key, token);
    },
    extend: async (extendMs) => Number(await redis.eval(extendIfOwner, 1, key, token, extendMs)) === 1,
  };
}
