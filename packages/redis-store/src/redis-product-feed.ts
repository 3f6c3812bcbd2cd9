import type { Action, FeedEntry, ProductFeed } from '@threadline/core';
import { decodeAction, encodeAction } from './action-fields.js';
import type { RedisClient } from './create-redis.js';
import type { RedisKeys } from './redis-keys.js';

export interface ProductFeedLimits {
  /** STREAM_RETENTION_S: how long a resumable id stays resumable. */
  retentionSeconds: number;
  /** STREAM_MAX_ENTRIES: the feed's cap, whatever its age. */
  maxEntries: number;
}

type StreamEntries = [string, string[]][];

function toEntry([id, fields]: [string, string[]]): FeedEntry {
  // The user id is the first field pair; the rest is the action as the user's stream stores it.
  const { id: _id, ...action } = decodeAction(id, fields.slice(2));
  return { id, userId: fields[1] ?? '', action };
}

/** A product's feed as one Redis stream (`{f:<product>}:feed`), capped by count and age. */
export class RedisProductFeed implements ProductFeed {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly limits: ProductFeedLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * What a writer that appends in its own script needs (the activity store's append, which feeds
   * in the same call as the users' streams): the key, the cap, the oldest id kept, the expiry.
   */
  appendSettings(productId: string): {
    key: string;
    maxEntries: number;
    oldestKeptId: string;
    ttlSeconds: number;
  } {
    return {
      key: this.keys.productFeed(productId),
      maxEntries: this.limits.maxEntries,
      oldestKeptId: this.oldestKeptId(),
      ttlSeconds: this.limits.retentionSeconds * 2,
    };
  }

  async append(productId: string, entries: { userId: string; action: Action }[]): Promise<void> {
    if (entries.length === 0) return;
    const key = this.keys.productFeed(productId);
    const pipeline = this.redis.pipeline();
    for (const entry of entries)
      pipeline.xadd(
        key,
        'MAXLEN',
        '~',
        this.limits.maxEntries,
        '*',
        'u',
        entry.userId,
        ...encodeAction(entry.action),
      );
    pipeline.xtrim(key, 'MINID', '~', this.oldestKeptId());
    pipeline.expire(key, this.limits.retentionSeconds * 2);
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([error]) => error);
    if (failed?.[0]) throw failed[0];
  }

  async readAfter(productId: string, afterId: string, limit: number): Promise<FeedEntry[]> {
    const entries = (await this.redis.xrange(
      this.keys.productFeed(productId),
      `(${afterId}`,
      '+',
      'COUNT',
      limit,
    )) as StreamEntries;
    return entries.map(toEntry);
  }

  async latestId(productId: string): Promise<string> {
    const newest = (await this.redis.xrevrange(
      this.keys.productFeed(productId),
      '+',
      '-',
      'COUNT',
      1,
    )) as StreamEntries;
    return newest[0]?.[0] ?? '0-0';
  }

  /** The oldest entry's id still kept, or `0-0` when the feed is empty. */
  async oldestId(productId: string): Promise<string> {
    const oldest = (await this.redis.xrange(
      this.keys.productFeed(productId),
      '-',
      '+',
      'COUNT',
      1,
    )) as StreamEntries;
    return oldest[0]?.[0] ?? '0-0';
  }

  /**
   * Waits up to `blockMs` for entries after `afterId` (`XREAD BLOCK`). `blocking` must be a
   * connection of its own: a blocked connection answers nothing else meanwhile.
   */
  async waitAfter(
    blocking: RedisClient,
    productId: string,
    afterId: string,
    blockMs: number,
    limit: number,
  ): Promise<FeedEntry[]> {
    const answer = (await blocking.xread(
      'COUNT',
      limit,
      'BLOCK',
      blockMs,
      'STREAMS',
      this.keys.productFeed(productId),
      afterId,
    )) as [string, StreamEntries][] | null;
    return answer?.[0]?.[1].map(toEntry) ?? [];
  }

  private oldestKeptId(): string {
    return String(this.now() - this.limits.retentionSeconds * 1000);
  }
}
