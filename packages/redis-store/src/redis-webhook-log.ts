import type { WebhookDeliverySeen, WebhookLog, WebhookLogSummary } from '@threadline/core';
import type { RedisClient } from './create-redis.js';
import type { RedisKeys } from './redis-keys.js';

/** Topics kept at most: a flood of made-up topics (signed, so from the app itself) cannot grow it. */
const maxTopics = 100;

/** The webhook edge's short memory in two hashes under `{ops}` (one slot, so one transaction). */
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
      if (delivery.topic) {
        // HSET on a known topic only refreshes it; a new one counts only while there is room.
        const topics = this.keys.webhookTopics();
        if ((await this.redis.hlen(topics)) < maxTopics || (await this.redis.hexists(topics, delivery.topic)))
          transaction.hset(topics, delivery.topic, at);
      }
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
