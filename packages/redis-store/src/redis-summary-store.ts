import { randomUUID } from 'node:crypto';
import type {
  DeliveryLock,
  PendingSummary,
  SummaryRecord,
  SummaryState,
  SummaryStore,
} from '@threadline/core';
import type { RedisClient } from './create-redis.js';
import type { RedisKeys } from './redis-keys.js';

const releaseIfOwner = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const extendIfOwner = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;

/** Summary progress of each conversation, under the conversation's hash tag (one Cluster slot). */
export class RedisSummaryStore implements SummaryStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  async state(conversationId: string): Promise<SummaryState> {
    const [hash, redacted] = await Promise.all([
      this.redis.hgetall(this.keys.summary(conversationId)),
      this.redis.smembers(this.keys.summaryRedacted(conversationId)),
    ]);
    return {
      current: hash.current ? (JSON.parse(hash.current) as SummaryRecord) : null,
      pending: hash.pending ? (JSON.parse(hash.pending) as PendingSummary) : null,
      redacted,
    };
  }

  async setPending(conversationId: string, pending: PendingSummary): Promise<void> {
    await this.redis.hset(this.keys.summary(conversationId), 'pending', JSON.stringify(pending));
  }

  async markRedacted(conversationId: string, partId: string): Promise<void> {
    await this.redis.sadd(this.keys.summaryRedacted(conversationId), partId);
  }

  async finish(conversationId: string, record: SummaryRecord): Promise<void> {
    const results = await this.redis
      .multi()
      .hset(this.keys.summary(conversationId), 'current', JSON.stringify(record))
      .hdel(this.keys.summary(conversationId), 'pending')
      .del(this.keys.summaryRedacted(conversationId))
      .exec();
    const failure = results?.find(([error]) => error);
    if (failure) throw failure[0];
  }

  async lock(conversationId: string, ttlMs: number): Promise<DeliveryLock | null> {
    const key = this.keys.summaryLock(conversationId);
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
