import type { Action, CapturedEvent } from '../actions/action.js';
import { identifiedEmail } from '../actions/identified-email.js';
import type { ActivityStore, UserRef } from '../ports/activity-store.js';
import type { IdentityStore } from '../ports/identity-store.js';
import type { LinkStore } from '../ports/link-store.js';

export interface RecordActivityDependencies {
  activity: ActivityStore;
  links: Pick<LinkStore, 'conversationsOf'>;
  describe(event: CapturedEvent): Action | null;
  /** Set only with LINK_BY_EMAIL: remembers which user an identify call gave an email. */
  identities?: Pick<IdentityStore, 'rememberEmail'>;
  /** Asks for a note delivery for this conversation soon (coalesced by the queue). */
  requestDelivery(conversationId: string): Promise<void>;
}

export interface RecordActivityResult {
  stored: number;
  dropped: number;
  users: number;
}

/**
 * The capture use case: events become redacted actions per user; every open conversation of a user
 * who did something gets a delivery request. Anonymous actions follow the user on `$identify`.
 */
export async function recordActivity(
  productId: string,
  events: CapturedEvent[],
  dependencies: RecordActivityDependencies,
): Promise<RecordActivityResult> {
  const byUser = new Map<string, Action[]>();
  let dropped = 0;
  const merges: { from: UserRef; into: UserRef }[] = [];
  // posthog-js sends the pre-login events in the same batch as the `$identify` that ends them;
  // those go straight to the identified user, or they would land after the merge and be stranded.
  const identifiedAs = new Map<string, string>();
  for (const event of events) {
    const anonymousId = event.properties.$anon_distinct_id;
    if (
      event.event === '$identify' &&
      typeof anonymousId === 'string' &&
      anonymousId &&
      anonymousId !== event.distinctId
    ) {
      merges.push({
        from: { productId, userId: anonymousId },
        into: { productId, userId: event.distinctId },
      });
      identifiedAs.set(anonymousId, event.distinctId);
    }
  }
  // Anonymous events (posthog-js marks them `$is_identified: false`) of an id identified in an
  // earlier request follow the user too: posthog-js sends `$identify` at once, the batch before it later.
  const anonymousIds = new Set<string>();
  for (const event of events) {
    if (event.properties.$is_identified === false && !identifiedAs.has(event.distinctId)) {
      anonymousIds.add(event.distinctId);
    }
  }
  for (const anonymousId of anonymousIds) {
    const userId = await dependencies.activity.identifiedAs({ productId, userId: anonymousId });
    if (userId && userId !== anonymousId) identifiedAs.set(anonymousId, userId);
  }
  for (const event of events) {
    const email = dependencies.identities ? identifiedEmail(event) : null;
    if (email) await dependencies.identities?.rememberEmail(productId, email, event.distinctId);
    const action = dependencies.describe(event);
    if (!action) {
      dropped += 1;
      continue;
    }
    const userId = identifiedAs.get(event.distinctId) ?? event.distinctId;
    const list = byUser.get(userId) ?? [];
    list.push(action);
    byUser.set(userId, list);
  }
  for (const { from, into } of merges) await dependencies.activity.merge(from, into);
  const touched = new Set<string>([...byUser.keys(), ...merges.map((merge) => merge.into.userId)]);
  let stored = 0;
  for (const [userId, actions] of byUser) {
    const sorted = [...actions].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    stored += (await dependencies.activity.append({ productId, userId }, sorted)).length;
  }
  for (const userId of touched) {
    for (const conversationId of await dependencies.links.conversationsOf({ productId, userId })) {
      await dependencies.requestDelivery(conversationId);
    }
  }
  return { stored, dropped, users: touched.size };
}
