import type { RedisClient } from './create-redis.js';
import type { RedisKeys } from './redis-keys.js';
import { globLiteral, scanKeys } from './scan-keys.js';

export interface ErasureReport {
  /** Actions deleted from the user's history. */
  actions: number;
  /** Conversations whose link, delivery state and note records were deleted. */
  conversations: string[];
  /** Anonymous ids that had been merged into the user (directly or through other merged ids). */
  anonymousIds: number;
  /**
   * Ids the user had been merged into (`$identify`): their whole streams are deleted too, since the
   * moved actions cannot be told apart from theirs once merged.
   */
  mergedInto: string[];
  /** Entries of the `unlinked` stream about the user's conversations. */
  unlinkedEntries: number;
  /** Email fingerprints pointing at the user (LINK_BY_EMAIL). */
  emailFingerprints: number;
  /** Every key deleted. */
  keys: string[];
}

/**
 * Removes every trace of one user from Redis, for an erasure request: actions, links and delivery
 * state of all their conversations (open or closed), anonymous ids merged into them, the streams of
 * ids they were merged into, email fingerprints, their conversations' `unlinked` entries. Job data
 * lives in the queues: see `eraseJobs` in `@threadline/jobs`. It scans the keyspace, which is fine for
 * a rare operator command. Notes already written in Intercom are Intercom's data and are not touched here.
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
  const linkScope = `${globLiteral(keys.prefix)}:{c:*}:link`;
  const tombstoneScope = `${globLiteral(keys.prefix)}:{c:*}:lifecycle`;
  const linkKeys = [...(await scanKeys(redis, linkScope)), ...(await scanKeys(redis, tombstoneScope))];
  for (const linkKey of linkKeys) {
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
    for (const key of conversationKeys(keys, conversationId)) doomed.add(key);
  }

  // Every `identified-as` pointer of the product, in both directions: ids merged into the user (and
  // into those, transitively), and the ids the user was merged into (whose streams hold its actions).
  const userScope = `${globLiteral(keys.prefix)}:{u:${globLiteral(encodeURIComponent(productId))}:*}:identified-as`;
  const pointers = new Map<string, { key: string; into: string }>();
  for (const key of await scanKeys(redis, userScope)) {
    const into = await redis.get(key);
    const from = userOfKey(key, keys.prefix, productId);
    if (into !== null && from !== null) pointers.set(from, { key, into });
  }
  const mergedFrom = new Set<string>();
  let frontier = [userId];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const [from, { into }] of pointers) {
      if (frontier.includes(into) && from !== userId && !mergedFrom.has(from)) {
        mergedFrom.add(from);
        next.push(from);
      }
    }
    frontier = next;
  }
  for (const from of mergedFrom) {
    doomed.add(pointers.get(from)!.key);
    doomed.add(keys.actions(productId, from));
    doomed.add(keys.pendingActions(productId, from));
    doomed.add(keys.identified(productId, from));
  }
  const mergedInto: string[] = [];
  for (let into = pointers.get(userId)?.into; into !== undefined && mergedInto.length < 10; ) {
    if (into === userId || mergedInto.includes(into)) break;
    mergedInto.push(into);
    doomed.add(keys.actions(productId, into));
    into = pointers.get(into)?.into;
  }
  const anonymousIds = mergedFrom.size;
  // The dedupe sets of event ids are named after the user (their content is hashes of event ids).
  for (const id of [userId, ...mergedFrom]) {
    const seenScope = `${globLiteral(keys.seenEvents(productId, id, 0)).slice(0, -1)}*`;
    for (const key of await scanKeys(redis, seenScope)) doomed.add(key);
  }

  let emailFingerprints = 0;
  for (const key of await scanKeys(redis, `${globLiteral(keys.prefix)}:{e:*}`)) {
    if ((await redis.get(key)) !== userId) continue;
    emailFingerprints += 1;
    doomed.add(key);
  }

  const unlinkedEntries = await eraseUnlinked(redis, keys, conversations);

  const deleted: string[] = [];
  for (const key of doomed) {
    // One key per DEL: keys of different users and conversations live in different cluster slots.
    if ((await redis.del(key)) === 1) deleted.push(key);
  }
  return {
    actions,
    conversations: [...conversations],
    anonymousIds,
    mergedInto,
    unlinkedEntries,
    emailFingerprints,
    keys: deleted,
  };
}

/** Every key of one conversation: link, delivery state, notes written, summary state, locks. */
function conversationKeys(keys: RedisKeys, conversationId: string): string[] {
  return [
    keys.link(conversationId),
    keys.lifecycle(conversationId),
    keys.awaiting(conversationId),
    keys.delivery(conversationId),
    keys.notes(conversationId),
    keys.deliveryLock(conversationId),
    keys.summary(conversationId),
    keys.summaryRedacted(conversationId),
    keys.summaryLock(conversationId),
  ];
}

/** Deletes the `unlinked` stream's entries about these conversations; answers how many. */
async function eraseUnlinked(redis: RedisClient, keys: RedisKeys, conversations: ReadonlySet<string>) {
  if (conversations.size === 0) return 0;
  let deleted = 0;
  for (const [id, fields] of (await redis.xrange(keys.unlinked(), '-', '+')) as [string, string[]][]) {
    const at = fields.indexOf('conversationId');
    if (at !== -1 && at % 2 === 0 && conversations.has(fields[at + 1] ?? '')) {
      deleted += await redis.xdel(keys.unlinked(), id);
    }
  }
  return deleted;
}

/**
 * Removes what Redis holds about conversations that belong to an erased person but were never linked
 * to a user id (found through their jobs): their `unlinked` entries and any state. Answers the keys
 * deleted and the entries removed.
 */
export async function eraseConversations(
  redis: RedisClient,
  keys: RedisKeys,
  conversationIds: readonly string[],
): Promise<{ keys: string[]; unlinkedEntries: number }> {
  const deleted: string[] = [];
  for (const conversationId of conversationIds) {
    for (const key of conversationKeys(keys, conversationId)) {
      if ((await redis.del(key)) === 1) deleted.push(key);
    }
  }
  return { keys: deleted, unlinkedEntries: await eraseUnlinked(redis, keys, new Set(conversationIds)) };
}

/** The user id of a `{u:<product>:<user>}:…` key of this product, or null for any other key. */
function userOfKey(key: string, prefix: string, productId: string): string | null {
  const start = `${prefix}:{u:${encodeURIComponent(productId)}:`;
  if (!key.startsWith(start)) return null;
  const end = key.indexOf('}', start.length);
  if (end === -1) return null;
  try {
    return decodeURIComponent(key.slice(start.length, end));
  } catch {
    return null;
  }
}
