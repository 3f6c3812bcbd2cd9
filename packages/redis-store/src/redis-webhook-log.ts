import type { WebhookDeliverySeen, WebhookLog, WebhookLogSummary } from '@threadline/core';
import type { RedisClient } from './create-redis.js';
import type { RedisKeys } from './redis-keys.js';

/** The webhook edge's short memory in two hashes under `{ops}` (one slot: one transaction, one round trip). */
export class RedisWebhookLog implements WebhookLog {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  async record(delivery: WebhookDeliverySeen): Promise<void> {
    const at = delivery.at.toISOString();
    const log = this.keys.webhookLog();
    const transaction = this.redis.multi();
    if (!delivery.isVerified) {
      transaction.hset(log, 'last_bad_signature_at', at).hincrby(log, 'bad_signatures', 1);
    } else {
      transaction.hset(log, 'last_verified_at', at, 'last_verified_topic', delivery.topic ?? '');
      if (delivery.topic === 'ping') transaction.hset(log, 'last_ping_at', at);
      // Only signed deliveries get here, so only the app's own topics (whoever holds the client secret).
      if (delivery.topic) transaction.hset(this.keys.webhookTopics(), delivery.topic, at);
    }
    const results = await transaction.exec();
    const failed = results?.find(([error]) => error);
    if (failed?.[0]) throw failed[0];
  }

  async read(): Promise<WebhookLogSummary> {
    const [log, topics] = await Promise.all([
      this.redis.hgetall(this.keys.webhookLog()),
      this.redis.hgetall(this.keys.webhookTopics()),
    ]);
    return {
      lastPingAt: log.last_ping_at ?? null,
      lastVerifiedAt: log.last_verified_at ?? null,
      lastVerifiedTopic: log.last_verified_topic || null,
      lastBadSignatureAt: log.last_bad_signature_at ?? null,
      badSignatures: Number(log.bad_signatures ?? 0),
      topics: Object.entries(topics)
        .map(([topic, lastSeenAt]) => ({ topic, lastSeenAt }))
        .sort((a, b) => a.topic.localeCompare(b.topic)),
    };
  }
}
