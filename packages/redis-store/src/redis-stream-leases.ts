import type { RedisClient } from './create-redis.js';
import { LuaScript } from './lua-script.js';
import type { RedisKeys } from './redis-keys.js';

/**
 * Takes a lease for one more stream of a key, unless the key already holds `max` live ones; leases
 * of streams whose process died lapse on their own.
 * KEYS: 1 the key's leases (sorted set, score = lease end in ms).
 * ARGV: 1 now (ms); 2 the new lease's end (ms); 3 the stream id; 4 the most streams per key.
 * Returns 1 when the lease was taken, 0 when the key is at its limit.
 */
const TAKE_LEASE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
redis.call('PEXPIREAT', KEYS[1], ARGV[2])
return 1`;

/**
 * Renews a lease that is still held (a lapsed one is not revived).
 * KEYS: 1 the key's leases. ARGV: 1 the new lease end (ms); 2 the stream id.
 * Returns 1 when renewed, 0 when the lease was gone.
 */
const RENEW_LEASE = `
if not redis.call('ZSCORE', KEYS[1], ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], 'XX', ARGV[1], ARGV[2])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then redis.call('PEXPIREAT', KEYS[1], ARGV[1]) end
return 1`;

const takeLeaseScript = new LuaScript(TAKE_LEASE);
const renewLeaseScript = new LuaScript(RENEW_LEASE);

/** How many live streams one access key holds, across every API replica. */
export class RedisStreamLeases {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly leaseMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async take(keyId: string, streamId: string, max: number): Promise<boolean> {
    const now = this.now();
    const taken = await takeLeaseScript.run(
      this.redis,
      [this.keys.streamLeases(keyId)],
      [now, now + this.leaseMs, streamId, max],
    );
    return taken === 1;
  }

  async renew(keyId: string, streamId: string): Promise<void> {
    await renewLeaseScript.run(
      this.redis,
      [this.keys.streamLeases(keyId)],
      [this.now() + this.leaseMs, streamId],
    );
  }

  async release(keyId: string, streamId: string): Promise<void> {
    await this.redis.zrem(this.keys.streamLeases(keyId), streamId);
  }
}
