import type { DeliveryLock, DeliveryState, DeliveryStore, PendingNote, WrittenNote } from '@threadline/core';
import { acquireLock } from './acquire-lock.js';
import type { RedisClient } from './create-redis.js';
import type { RedisKeys } from './redis-keys.js';

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
    };
  }

  async setPending(conversationId: string, pending: PendingNote): Promise<void> {
    await this.redis.hset(this.keys.delivery(conversationId), 'pending', JSON.stringify(pending));
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
    };
    const results = await this.redis
      .multi()
      .hset(this.keys.delivery(conversationId), {
        cursor: pending.lastActionId,
        nextNumber: String(pending.lastNumber + 1),
      })
      .hdel(this.keys.delivery(conversationId), 'pending')
      .rpush(this.keys.notes(conversationId), JSON.stringify(note))
      .exec();
    const failure = results?.find(([error]) => error);
    if (failure) throw failure[0];
  }

  async notes(conversationId: string): Promise<WrittenNote[]> {
    const entries = await this.redis.lrange(this.keys.notes(conversationId), 0, -1);
    return entries.map((entry) => JSON.parse(entry) as WrittenNote);
  }

  lock(conversationId: string, ttlMs: number): Promise<DeliveryLock | null> {
    return acquireLock(this.redis, this.keys.deliveryLock(conversationId), ttlMs);
  }
}
