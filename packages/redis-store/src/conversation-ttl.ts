import type { RedisClient } from './create-redis.js';
import { LuaScript } from './lua-script.js';
import type { RedisKeys } from './redis-keys.js';

/** How long the keys of a conversation whose link has already ended live (a delivery that was posting). */
export const orphanKeyTtlMs = 24 * 3600 * 1000;

/**
 * Gives each key the link's remaining lifetime (KEYS[1] is the link), so no key of a conversation
 * outlives its link; a key written after the link ended gets a day.
 */
const followLinkTtl = new LuaScript(`
local ttl = redis.call('PTTL', KEYS[1])
if ttl == -1 then return 0 end
if ttl < 0 then ttl = tonumber(ARGV[1]) end
for index = 2, #KEYS do
  if redis.call('EXISTS', KEYS[index]) == 1 then redis.call('PEXPIRE', KEYS[index], ttl) end
end
return 1`);

export async function followLinkLifetime(
  redis: RedisClient,
  keys: RedisKeys,
  conversationId: string,
  conversationKeys: string[],
): Promise<void> {
  await followLinkTtl.run(redis, [keys.link(conversationId), ...conversationKeys], [orphanKeyTtlMs]);
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
