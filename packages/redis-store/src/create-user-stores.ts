import { withProductFeed } from '@threadline/core';
import { Cluster } from 'ioredis';
import type { RedisClient } from './create-redis.js';
import { RedisActivityStore } from './redis-activity-store.js';
import { RedisIdentityStore } from './redis-identity-store.js';
import type { RedisKeys } from './redis-keys.js';
import { RedisLinkStore } from './redis-link-store.js';
import { type ProductFeedLimits, RedisProductFeed } from './redis-product-feed.js';

export interface UserStoreSettings {
  maxActions: number;
  retentionSeconds: number;
  /** ACTIVITY_ANONYMOUS_RETENTION_S (default: the retention). */
  anonymousRetentionSeconds?: number;
  /** CAPTURE_DEDUPE_WINDOW_S (default 7,200). */
  dedupeWindowSeconds?: number;
  /** LINK_BY_EMAIL: keep email fingerprints, keyed with `fingerprintKey`. */
  linkByEmail: boolean;
  fingerprintKey: string;
  /** LINK_IDLE_DAYS (default 14). */
  linkIdleDays?: number;
  /** STREAM_RETENTION_S and STREAM_MAX_ENTRIES: each product's feed of new actions (stream, push). */
  productFeed: ProductFeedLimits;
}

/** The stores both the API and the worker read and write per user, made the same way in each. */
export function createUserStores(redis: RedisClient, keys: RedisKeys, settings: UserStoreSettings) {
  const productFeed = new RedisProductFeed(redis, keys, settings.productFeed);
  const limits = {
    maxActions: settings.maxActions,
    retentionSeconds: settings.retentionSeconds,
    ...(settings.anonymousRetentionSeconds
      ? { anonymousRetentionSeconds: settings.anonymousRetentionSeconds }
      : {}),
    ...(settings.dedupeWindowSeconds ? { dedupeWindowSeconds: settings.dedupeWindowSeconds } : {}),
  };
  const history = new RedisActivityStore(redis, keys, limits);
  return {
    // On a single Redis the append script writes the feed in the same call as the users' streams;
    // on a Cluster the feed's slot is another, so it is written after them.
    activity:
      redis instanceof Cluster
        ? withProductFeed(history, productFeed)
        : new RedisActivityStore(redis, keys, limits, undefined, productFeed),
    /** The same store without the feed: what the CLI inspects and erases. */
    activityHistory: history,
    productFeed,
    links: new RedisLinkStore(redis, keys, settings.linkIdleDays ? { idleDays: settings.linkIdleDays } : {}),
    identities: settings.linkByEmail
      ? new RedisIdentityStore(redis, keys, {
          ttlSeconds: settings.retentionSeconds,
          fingerprintKey: settings.fingerprintKey,
        })
      : undefined,
  };
}
