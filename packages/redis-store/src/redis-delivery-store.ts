import type {
  CatchUp,
  DeliveryLock,
  DeliveryState,
  DeliveryStore,
  PendingNote,
  WrittenNote,
} from '@threadline/core';
import { acquireLock } from './acquire-lock.js';
import { followLinkLifetime, orphanKeyTtlMs } from './conversation-ttl.js';
import type { RedisClient } from './create-redis.js';
import { LuaScript } from './lua-script.js';
import type { RedisKeys } from './redis-keys.js';

/**
 * Records a posted note: cursor and numbering advance, `pending` (and, for the catch-up note, the
 * catch-up mark) cleared, the note appended; the keys take the link's remaining lifetime (KEYS[3]).
 */
const commitNote = new LuaScript(`
redis.call('HSET', KEYS[1], 'cursor', ARGV[1], 'nextNumber', ARGV[2])
redis.call('HDEL', KEYS[1], 'pending')
if ARGV[4] == '1' then redis.call('HDEL', KEYS[1], 'catchUp') end
redis.call('RPUSH', KEYS[2], ARGV[3])
local ttl = redis.call('PTTL', KEYS[3])
if ttl == -1 then return 1 end
if ttl < 0 then ttl = tonumber(ARGV[5]) end
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('PEXPIRE', KEYS[2], ttl)
return 1`);

/** Delivery progress of each conversation. Every key of one conversation shares its hash tag. */
export class RedisDeliveryStore implements DeliveryStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  async state(conversationId: string): Promise<DeliveryState> {
    const hash = await this.redis.hgetall(this.keys.delivery(conversationId));
    return {
      cursor: hash.cursor ? hash.cursor : null,
      nextNumber: Number(hash.nextNumber ?? 1) || 1,
      pending: hash.pending ? (JSON.parse(hash.pending) as PendingNote) : null,
      catchUp: hash.catchUp ? (JSON.parse(hash.catchUp) as CatchUp) : null,
    };
  }

  async setPending(conversationId: string, pending: PendingNote): Promise<void> {
    await this.redis.hset(this.keys.delivery(conversationId), 'pending', JSON.stringify(pending));
    await followLinkLifetime(this.redis, this.keys, conversationId, [this.keys.delivery(conversationId)]);
  }

  async clearCatchUp(conversationId: string, skipThroughActionId?: string): Promise<void> {
    const key = this.keys.delivery(conversationId);
    if (skipThroughActionId)
      await this.redis.multi().hset(key, 'cursor', skipThroughActionId).hdel(key, 'catchUp').exec();
    else await this.redis.hdel(key, 'catchUp');
  }

  async commit(
    conversationId: string,
    pending: PendingNote,
    partId: string,
    postedAt: string,
  ): Promise<void> {
    const note: WrittenNote = {
      partId,
      reference: pending.reference,
      firstNumber: pending.firstNumber,
      lastNumber: pending.lastNumber,
      postedAt,
      ...(pending.lines ? { lines: pending.lines } : {}),
    };
    await commitNote.run(
      this.redis,
      [this.keys.delivery(conversationId), this.keys.notes(conversationId), this.keys.link(conversationId)],
      [
        pending.lastActionId,
        String(pending.lastNumber + 1),
        JSON.stringify(note),
        pending.isCatchUp ? '1' : '0',
        orphanKeyTtlMs,
      ],
    );
  }

  async notes(conversationId: string): Promise<WrittenNote[]> {
    const entries = await this.redis.lrange(this.keys.notes(conversationId), 0, -1);
    return entries.map((entry) => JSON.parse(entry) as WrittenNote);
  }

  lock(conversationId: string, ttlMs: number): Promise<DeliveryLock | null> {
    return acquireLock(this.redis, this.keys.deliveryLock(conversationId), ttlMs);
  }
}
