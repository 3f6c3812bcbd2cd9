import type { ActivityStore } from '../ports/activity-store.js';
import type { ProductFeed } from '../ports/product-feed.js';

/**
 * The activity store, also writing each newly stored action to its product's feed (after the user's
 * stream, so a reader of the feed can always find the action in the user's history too). Pending
 * actions (unverified, kept apart) and duplicates are left out; a merge's copy is not new activity.
 */
export function withProductFeed(activity: ActivityStore, feed: ProductFeed): ActivityStore {
  return {
    async append(user, actions, options = {}) {
      const result = await activity.append(user, actions, options);
      if (options.pending || result.ids.length === 0) return result;
      const appended = result.appendedIndexes
        ? result.appendedIndexes.map((index) => actions[index]).filter((action) => action !== undefined)
        : actions;
      await feed.append(
        user.productId,
        appended.map((action) => ({ userId: user.userId, action })),
      );
      return result;
    },
    listAfter: (user, afterId, limit) => activity.listAfter(user, afterId, limit),
    listRecent: (user, limit) => activity.listRecent(user, limit),
    merge: (from, into) => activity.merge(from, into),
    identityOf: (user) => activity.identityOf(user),
  };
}
