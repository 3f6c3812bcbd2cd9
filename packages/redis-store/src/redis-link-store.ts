import type {
  AwaitingLink,
  CatchUp,
  ConversationLink,
  LifecycleRecord,
  LinkState,
  LinkStore,
  UserRef,
} from '@threadline/core';
import { linkedConversationKeys } from './conversation-ttl.js';
import type { RedisClient } from './create-redis.js';
import { defineLuaScript } from './lua-script.js';
import type { RedisKeys } from './redis-keys.js';

const unlinkedKept = 10_000;
const dayMs = 24 * 3600 * 1000;
/** LINK_IDLE_DAYS' default. */
export const defaultLinkIdleDays = 14;
/** An ended link's record stays this long, so a late notification (within the replay window) is stale. */
const tombstoneMs = 7 * dayMs;

const createLinkOnce = defineLuaScript<
  'link' | 'delivery' | 'lifecycle' | 'awaiting',
  'fields' | 'cursor' | 'ttlMs' | 'at',
  { created: number }
>(new URL('./lua/create-link-once.lua', import.meta.url));

const setLifecycleIfUnchanged = defineLuaScript<
  'lifecycle' | 'delivery' | 'others',
  'expectedState' | 'expectedAt' | 'state' | 'at' | 'catchUp' | 'ttlMs',
  { changed: number }
>(new URL('./lua/set-lifecycle-if-unchanged.lua', import.meta.url));

const endConversation = defineLuaScript<
  'lifecycle' | 'others',
  'at' | 'reason' | 'tombstoneMs' | 'productId' | 'userId' | 'conversationId',
  { ended: number }
>(new URL('./lua/end-conversation.lua', import.meta.url));

function toHash(link: ConversationLink): Record<string, string> {
  return {
    conversationId: link.conversationId,
    productId: link.productId,
    userId: link.userId,
    appId: link.appId ?? '',
    sessionId: link.sessionId ?? '',
    conversationCreatedAt: link.conversationCreatedAt === null ? '' : String(link.conversationCreatedAt),
    linkedAt: link.linkedAt,
    contactId: link.contactId ?? '',
  };
}

function toRecord(hash: Record<string, string>): LifecycleRecord | null {
  const state = hash.state as LinkState | undefined;
  if (state !== 'open' && state !== 'closed' && state !== 'snoozed' && state !== 'ended') return null;
  return { state, at: Number(hash.at) || 0 };
}

function fromHash(hash: Record<string, string>, record: LifecycleRecord | null): ConversationLink | null {
  if (!hash.conversationId || !hash.productId || !hash.userId) return null;
  // Links written before lifecycle records were kept `status: closed` in the link itself.
  const legacyClosed = hash.status === 'closed';
  if (record?.state === 'ended' || legacyClosed) return null;
  return {
    conversationId: hash.conversationId,
    productId: hash.productId,
    userId: hash.userId,
    appId: hash.appId || null,
    sessionId: hash.sessionId || null,
    conversationCreatedAt: hash.conversationCreatedAt ? Number(hash.conversationCreatedAt) : null,
    linkedAt: hash.linkedAt ?? '',
    status: record?.state ?? 'open',
    contactId: hash.contactId || null,
  };
}

export interface LinkStoreOptions {
  /** LINK_IDLE_DAYS: a link with no reply and no lifecycle event for this long ends (its keys expire). */
  idleDays?: number;
}

/**
 * Conversation links and their lifecycle. Every key of a conversation lives `LINK_IDLE_DAYS` from the
 * link's last reply or lifecycle event; the user's and the contact's sets of conversations live as long
 * as their newest link.
 */
export class RedisLinkStore implements LinkStore {
  private readonly idleMs: number;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    options: LinkStoreOptions = {},
  ) {
    this.idleMs = (options.idleDays ?? defaultLinkIdleDays) * dayMs;
  }

  async get(conversationId: string): Promise<ConversationLink | null> {
    const [hash, lifecycle] = await Promise.all([
      this.redis.hgetall(this.keys.link(conversationId)),
      this.redis.hgetall(this.keys.lifecycle(conversationId)),
    ]);
    return fromHash(hash, toRecord(lifecycle));
  }

  async create(link: ConversationLink, startAfterActionId: string | null): Promise<boolean> {
    // The user's index first: a crash before the link is written leaves an id that resolves to no link
    // (harmless), never a link that live notes cannot find.
    await this.addMember(this.keys.userConversations(link.productId, link.userId), link.conversationId);
    if (link.contactId)
      await this.addMember(this.keys.contactConversations(link.contactId), link.conversationId);
    const { created } = await createLinkOnce.run(
      this.redis,
      {
        link: this.keys.link(link.conversationId),
        delivery: this.keys.delivery(link.conversationId),
        lifecycle: this.keys.lifecycle(link.conversationId),
        awaiting: this.keys.awaiting(link.conversationId),
      },
      {
        fields: JSON.stringify(toHash(link)),
        cursor: startAfterActionId ?? '',
        ttlMs: this.idleMs,
        at: String(link.conversationCreatedAt ?? Math.floor(Date.parse(link.linkedAt) / 1000)),
      },
    );
    return created === 1;
  }

  async conversationsOf(user: UserRef): Promise<string[]> {
    const ids = await this.redis.smembers(this.keys.userConversations(user.productId, user.userId));
    if (ids.length === 0) return ids;
    const links = await Promise.all(ids.map((id) => this.get(id)));
    return ids.filter((_id, index) => links[index]?.status === 'open');
  }

  async linksOf(user: UserRef): Promise<ConversationLink[]> {
    const key = this.keys.userConversations(user.productId, user.userId);
    const ids = await this.redis.smembers(key);
    const links = await Promise.all(ids.map((id) => this.get(id)));
    const gone = ids.filter((_id, index) => links[index] === null);
    // Ended or expired links leave their id behind; tidy it here, where it is seen.
    if (gone.length > 0) await this.redis.srem(key, ...gone);
    return links
      .filter((link): link is ConversationLink => link !== null)
      .sort((a, b) => b.linkedAt.localeCompare(a.linkedAt));
  }

  async close(conversationId: string, reason: string): Promise<void> {
    await this.end(conversationId, { state: 'ended', at: Math.floor(Date.now() / 1000) }, reason);
  }

  async lifecycle(conversationId: string): Promise<LifecycleRecord | null> {
    return toRecord(await this.redis.hgetall(this.keys.lifecycle(conversationId)));
  }

  async setLifecycle(
    conversationId: string,
    expected: LifecycleRecord | null,
    next: LifecycleRecord,
    catchUp?: CatchUp,
  ): Promise<boolean> {
    const conversationKeys = linkedConversationKeys(this.keys, conversationId).filter(
      (key) => key !== this.keys.lifecycle(conversationId) && key !== this.keys.delivery(conversationId),
    );
    const { changed } = await setLifecycleIfUnchanged.run(
      this.redis,
      {
        lifecycle: this.keys.lifecycle(conversationId),
        delivery: this.keys.delivery(conversationId),
        others: conversationKeys,
      },
      {
        expectedState: expected?.state ?? '',
        expectedAt: expected ? String(expected.at) : '',
        state: next.state,
        at: String(next.at),
        catchUp: catchUp ? JSON.stringify(catchUp) : '',
        ttlMs: this.idleMs,
      },
    );
    if (changed !== 1) return false;
    const link = await this.get(conversationId);
    if (link) {
      await this.redis.pexpire(this.keys.userConversations(link.productId, link.userId), this.idleMs);
      if (link.contactId)
        await this.redis.pexpire(this.keys.contactConversations(link.contactId), this.idleMs);
    }
    return true;
  }

  async end(conversationId: string, record: LifecycleRecord, reason: string): Promise<void> {
    const [productId, userId, contactId] = await this.redis.hmget(
      this.keys.link(conversationId),
      'productId',
      'userId',
      'contactId',
    );
    const awaitingContact = await this.redis.hget(this.keys.awaiting(conversationId), 'contactId');
    const conversationKeys = linkedConversationKeys(this.keys, conversationId).filter(
      (key) => key !== this.keys.lifecycle(conversationId),
    );
    await endConversation.run(
      this.redis,
      { lifecycle: this.keys.lifecycle(conversationId), others: conversationKeys },
      {
        at: String(record.at),
        reason,
        tombstoneMs,
        productId: productId ?? '',
        userId: userId ?? '',
        conversationId,
      },
    );
    if (productId && userId) {
      await this.redis.srem(this.keys.userConversations(productId, userId), conversationId);
    }
    for (const contact of new Set([contactId, awaitingContact])) {
      if (contact) await this.redis.srem(this.keys.contactConversations(contact), conversationId);
    }
  }

  async conversationsOfContact(contactId: string): Promise<string[]> {
    return this.redis.smembers(this.keys.contactConversations(contactId));
  }

  async awaitContact(entry: AwaitingLink): Promise<void> {
    await this.addMember(this.keys.contactConversations(entry.contactId), entry.conversationId);
    const key = this.keys.awaiting(entry.conversationId);
    const results = await this.redis
      .multi()
      .hset(key, {
        conversationId: entry.conversationId,
        contactId: entry.contactId,
        appId: entry.appId ?? '',
        conversationCreatedAt:
          entry.conversationCreatedAt === null ? '' : String(entry.conversationCreatedAt),
      })
      .pexpire(key, this.idleMs)
      .exec();
    throwTransactionError(results, 'the transaction recording a conversation awaiting its contact');
  }

  async awaiting(conversationId: string): Promise<AwaitingLink | null> {
    const hash = await this.redis.hgetall(this.keys.awaiting(conversationId));
    if (!hash.conversationId || !hash.contactId) return null;
    return {
      conversationId: hash.conversationId,
      contactId: hash.contactId,
      appId: hash.appId || null,
      conversationCreatedAt: hash.conversationCreatedAt ? Number(hash.conversationCreatedAt) : null,
    };
  }

  async relink(conversationId: string, user: UserRef): Promise<void> {
    const link = await this.get(conversationId);
    if (!link) return;
    await this.addMember(this.keys.userConversations(user.productId, user.userId), conversationId);
    await this.redis.hset(this.keys.link(conversationId), { productId: user.productId, userId: user.userId });
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

  private async addMember(key: string, member: string): Promise<void> {
    const results = await this.redis.multi().sadd(key, member).pexpire(key, this.idleMs).exec();
    throwTransactionError(results, 'the transaction adding a conversation to its index');
  }
}

/**
 * A transaction answers each command's error instead of throwing it (WRONGTYPE, OOM): a link whose
 * index was not written must fail and be retried, not pass silently.
 */
function throwTransactionError(results: [Error | null, unknown][] | null, what: string): void {
  if (!results) throw new Error(`${what} was discarded`);
  const failed = results.find(([error]) => error)?.[0];
  if (failed) throw failed;
}
