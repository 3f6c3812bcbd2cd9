import { randomUUID } from 'node:crypto';
import type { DeliveryLock, DeliveryState, DeliveryStore, PendingNote, WrittenNote } from '@threadline/core';
import type { RedisClient } from './create-redis.js';
import type { RedisKeys } from './redis-keys.js';

const releaseIfOwner = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const extendIfOwner = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;

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

  async lock(conversationId: string, ttlMs: number): Promise<DeliveryLock | null> {
    const key = this.keys.deliveryLock(conversationId);
    const token = randomUUID();
    const acquired = await this.redis.set(key, token, 'PX', ttlMs, 'NX');
    if (acquired !== 'OK') return null;
    return {
      release: async () => {
        await this.redis.eval(releaseIfOwner, 1, key, token);
      },
      extend: async (extendMs) => Number(await this.redis.eval(extendIfOwner, 1, key, token, extendMs)) === 1,
    };
  }
}
