import type { ActivityStore, AppendResult, UserAppend } from '../ports/activity-store.js';
import type { ProductFeed } from '../ports/product-feed.js';

type FeedAppend = Parameters<ProductFeed['append']>[1][number];

/**
 * The activity store, also writing each newly stored action to its product's feed (after the user's
 * stream, so a reader of the feed can always find the action in the user's history too). Pending
 * actions (unverified, kept apart) and duplicates are left out; a merge's copy is not new activity.
 */
export function withProductFeed(activity: ActivityStore, feed: ProductFeed): ActivityStore {
  async function appendAll(appends: readonly UserAppend[]): Promise<AppendResult[]> {
    const results = await activity.appendAll(appends);
    const byProduct = new Map<string, FeedAppend[]>();
    appends.forEach(({ user, actions, options = {} }, position) => {
      const result = results[position];
      if (!result || options.pending || result.ids.length === 0) return;
      const appended = result.appendedIndexes
        ? result.appendedIndexes.map((index) => actions[index]).filter((action) => action !== undefined)
        : actions;
      const entries = byProduct.get(user.productId) ?? [];
      entries.push(...appended.map((action) => ({ userId: user.userId, action })));
      byProduct.set(user.productId, entries);
    });
    for (const [productId, entries] of byProduct) await feed.append(productId, entries);
    return results;
  }
  return {
    async append(user, actions, options = {}) {
      const [result] = await appendAll([{ user, actions, options }]);
      return result as AppendResult;
    },
    appendAll,
    listAfter: (user, afterId, limit) => activity.listAfter(user, afterId, limit),
    listRecent: (user, limit) => activity.listRecent(user, limit),
    merge: (from, into) => activity.merge(from, into),
    identityOf: (user) => activity.identityOf(user),
  };
}
