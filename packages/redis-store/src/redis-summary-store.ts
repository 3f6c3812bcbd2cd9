import type {
  DeliveryLock,
  PendingSummary,
  SummaryRecord,
  SummaryState,
  SummaryStore,
} from '@threadline/core';
import { acquireLock } from './acquire-lock.js';
import { followLinkLifetime } from './conversation-ttl.js';
import type { RedisClient } from './create-redis.js';
import type { RedisKeys } from './redis-keys.js';

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
    await this.followLink(conversationId);
  }

  async markRedacted(conversationId: string, partId: string): Promise<void> {
    await this.redis.sadd(this.keys.summaryRedacted(conversationId), partId);
    await this.followLink(conversationId);
  }

  /** Summary keys live no longer than the conversation's link. */
  private followLink(conversationId: string): Promise<void> {
    return followLinkLifetime(this.redis, this.keys, conversationId, [
      this.keys.summary(conversationId),
      this.keys.summaryRedacted(conversationId),
    ]);
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
    await this.followLink(conversationId);
  }

  lock(conversationId: string, ttlMs: number): Promise<DeliveryLock | null> {
    return acquireLock(this.redis, this.keys.summaryLock(conversationId), ttlMs);
  }
}
