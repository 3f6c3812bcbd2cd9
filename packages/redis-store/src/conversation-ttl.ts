import type { RedisClient } from './create-redis.js';
import { defineLuaScript } from './lua-script.js';
import type { RedisKeys } from './redis-keys.js';

/** How long the keys of a conversation whose link has already ended live (a delivery that was posting). */
export const orphanKeyTtlMs = 24 * 3600 * 1000;

const followLinkTtl = defineLuaScript<'link' | 'conversationKeys', 'orphanTtlMs', { followed: number }>(
  new URL('./lua/follow-link-lifetime.lua', import.meta.url),
);

export async function followLinkLifetime(
  redis: RedisClient,
  keys: RedisKeys,
  conversationId: string,
  conversationKeys: string[],
): Promise<void> {
  await followLinkTtl.run(
    redis,
    { link: keys.link(conversationId), conversationKeys },
    { orphanTtlMs: orphanKeyTtlMs },
  );
}

/** The keys of one conversation that live and die with its link (locks have their own short TTLs). */
export function linkedConversationKeys(keys: RedisKeys, conversationId: string): string[] {
  return [
    keys.link(conversationId),
    keys.lifecycle(conversationId),
    keys.delivery(conversationId),
    keys.notes(conversationId),
    keys.summary(conversationId),
    keys.summaryRedacted(conversationId),
    keys.awaiting(conversationId),
  ];
}
