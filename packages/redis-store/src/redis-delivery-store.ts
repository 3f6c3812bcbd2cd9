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
import { defineLuaScript } from './lua-script.js';
import type { RedisKeys } from './redis-keys.js';

const commitNote = defineLuaScript<
  'delivery' | 'notes' | 'link',
  'cursor' | 'nextNumber' | 'note' | 'clearsCatchUp' | 'orphanTtlMs' | 'writtenThrough',
  { committed: number }
>(new URL('./lua/commit-note.lua', import.meta.url));

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
      writtenThrough: hash.writtenThrough ? hash.writtenThrough : null,
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
      {
        delivery: this.keys.delivery(conversationId),
        notes: this.keys.notes(conversationId),
        link: this.keys.link(conversationId),
      },
      {
        cursor: pending.lastActionId,
        nextNumber: String(pending.lastNumber + 1),
        note: JSON.stringify(note),
        clearsCatchUp: pending.isCatchUp ? '1' : '0',
        orphanTtlMs: orphanKeyTtlMs,
        writtenThrough: pending.writtenThrough ?? '',
      },
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
