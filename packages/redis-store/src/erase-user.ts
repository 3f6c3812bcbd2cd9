import type { RedisClient } from './create-redis.js';
import type { RedisKeys } from './redis-keys.js';
import { globLiteral, scanKeys } from './scan-keys.js';

export interface ErasureReport {
  /** Actions deleted from the user's history. */
  actions: number;
  /** Conversations whose link, delivery state and note records were deleted. */
  conversations: string[];
  /** Anonymous ids that had been merged into the user. */
  anonymousIds: number;
  /** Email fingerprints pointing at the user (LINK_BY_EMAIL). */
  emailFingerprints: number;
  /** Every key deleted. */
  keys: string[];
}

/**
 * Removes every trace of one user from Redis, for an erasure request: actions, links and delivery
 * state of all their conversations (open or closed), anonymous ids merged into them, email
 * fingerprints. It scans the keyspace, which is fine for a rare operator command.
 * Notes already written in Intercom are Intercom's data and are not touched here.
 */
export async function eraseUser(
  redis: RedisClient,
  keys: RedisKeys,
  productId: string,
  userId: string,
): Promise<ErasureReport> {
  const doomed = new Set<string>();
  const actionsKey = keys.actions(productId, userId);
  const actions = await redis.xlen(actionsKey);
  doomed.add(actionsKey);
  doomed.add(keys.pendingActions(productId, userId));
  doomed.add(keys.identifiedAs(productId, userId));
  doomed.add(keys.identified(productId, userId));
  doomed.add(keys.userConversations(productId, userId));

  const conversations = new Set(await redis.smembers(keys.userConversations(productId, userId)));
  for (const linkKey of await scanKeys(redis, `${globLiteral(keys.prefix)}:{c:*}:link`)) {
    const [linkedProduct, linkedUser, conversationId] = await redis.hmget(
      linkKey,
      'productId',
      'userId',
      'conversationId',
    );
    if (linkedProduct === productId && linkedUser === userId && conversationId)
      conversations.add(conversationId);
  }
  for (const conversationId of conversations) {
    for (const key of [
      keys.link(conversationId),
      keys.delivery(conversationId),
      keys.notes(conversationId),
      keys.deliveryLock(conversationId),
      keys.summary(conversationId),
      keys.summaryRedacted(conversationId),
      keys.summaryLock(conversationId),
    ]) {
      doomed.add(key);
    }
  }

  let anonymousIds = 0;
  const userScope = `${globLiteral(keys.prefix)}:{u:${globLiteral(encodeURIComponent(productId))}:*}:identified-as`;
  for (const key of await scanKeys(redis, userScope)) {
    if ((await redis.get(key)) !== userId) continue;
    anonymousIds += 1;
    doomed.add(key);
    doomed.add(key.replace(/:identified-as$/, ':actions'));
    doomed.add(key.replace(/:identified-as$/, ':pending-actions'));
  }

  let emailFingerprints = 0;
  for (const key of await scanKeys(redis, `${globLiteral(keys.prefix)}:{e:*}`)) {
    if ((await redis.get(key)) !== userId) continue;
    emailFingerprints += 1;
    doomed.add(key);
  }

  const deleted: string[] = [];
  for (const key of doomed) {
    // One key per DEL: keys of different users and conversations live in different cluster slots.
    if ((await redis.del(key)) === 1) deleted.push(key);
  }
  return { actions, conversations: [...conversations], anonymousIds, emailFingerprints, keys: deleted };
}
