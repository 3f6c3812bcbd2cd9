import type { ConversationLink, LinkStore, UserRef } from '@threadline/core';
import type { RedisClient } from './create-redis.js';
import { LuaScript } from './lua-script.js';
import type { RedisKeys } from './redis-keys.js';

const unlinkedKept = 10_000;

/** Writes the link and the delivery start together, only if the conversation has no link yet. */
const createLinkOnce = new LuaScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local fields = cjson.decode(ARGV[1])
for name, value in pairs(fields) do redis.call('HSET', KEYS[1], name, value) end
redis.call('HSET', KEYS[2], 'cursor', ARGV[2], 'nextNumber', '1')
return 1`);

function toHash(link: ConversationLink): Record<string, string> {
  return {
    conversationId: link.conversationId,
    productId: link.productId,
    userId: link.userId,
    appId: link.appId ?? '',
    sessionId: link.sessionId ?? '',
    conversationCreatedAt: link.conversationCreatedAt === null ? '' : String(link.conversationCreatedAt),
    linkedAt: link.linkedAt,
    status: link.status,
  };
}

function fromHash(hash: Record<string, string>): ConversationLink | null {
  if (!hash.conversationId || !hash.productId || !hash.userId) return null;
  return {
    conversationId: hash.conversationId,
    productId: hash.productId,
    userId: hash.userId,
    appId: hash.appId || null,
    sessionId: hash.sessionId || null,
    conversationCreatedAt: hash.conversationCreatedAt ? Number(hash.conversationCreatedAt) : null,
    linkedAt: hash.linkedAt ?? '',
    status: hash.status === 'closed' ? 'closed' : 'open',
  };
}

/**
 * Conversation links. A link never expires while the conversation may still get notes; the user's
 * set of conversations lives beside the user's actions (same hash tag).
 */
export class RedisLinkStore implements LinkStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  async get(conversationId: string): Promise<ConversationLink | null> {
    return fromHash(await this.redis.hgetall(this.keys.link(conversationId)));
  }

  async create(link: ConversationLink, startAfterActionId: string | null): Promise<boolean> {
    // The user's index first: a crash before the link is written leaves an id that resolves to no link
    // (harmless), never a link that live notes cannot find.
    await this.redis.sadd(this.keys.userConversations(link.productId, link.userId), link.conversationId);
    const created = await createLinkOnce.run(
      this.redis,
      [this.keys.link(link.conversationId), this.keys.delivery(link.conversationId)],
      [JSON.stringify(toHash(link)), startAfterActionId ?? ''],
    );
    return created === 1;
  }

  async conversationsOf(user: UserRef): Promise<string[]> {
    return this.redis.smembers(this.keys.userConversations(user.productId, user.userId));
  }

  async close(conversationId: string, reason: string): Promise<void> {
    const link = await this.get(conversationId);
    if (!link) return;
    await this.redis.hset(this.keys.link(conversationId), { status: 'closed', closedReason: reason });
    await this.redis.srem(this.keys.userConversations(link.productId, link.userId), conversationId);
  }

  async recordUnlinked(entry: { conversationId: string; reason: string; at: string }): Promise<void> {
    await this.redis.xadd(
      this.keys.unlinked(),
      'MAXLEN',
      '~',
      String(unlinkedKept),
      '*',
      'conversationId',
      entry.conversationId,
      'reason',
      entry.reason,
      'at',
      entry.at,
    );
  }
}
