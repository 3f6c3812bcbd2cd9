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
  /** Actions left out because their event was already stored (a client's retry). */
  duplicates: number;
  /** Users whose first actions these were. */
  newUsers: number;
}

/** One action to store, with the client's id of its event (for deduplication). */
interface Entry {
  action: Action;
  eventId: string | undefined;
}

/**
 * posthog-js marks a visitor's events before `identify` `$is_identified: false`, and their
 * distinct_id is the device id. Anything else may belong to an identified user. The client says so,
 * so this only chooses how long a stream is kept, never who may read it.
 */
function isAnonymousEvent(event: CapturedEvent): boolean {
  return event.properties.$is_identified === false || event.properties.$device_id === event.distinctId;
}

/** An `$identify` that ends an anonymous visitor's history: its actions move to the identified user. */
interface Merge {
  from: UserRef;
  into: UserRef;
}

/**
 * posthog-js sends the pre-login events in the same batch as the `$identify` that ends them; those go
 * straight to the identified user, or they would land after the merge and be stranded.
 */
function mergesIn(productId: string, events: CapturedEvent[]): Merge[] {
  const merges: Merge[] = [];
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
    }
  }
  return merges;
}

/**
 * Anonymous events (posthog-js marks them `$is_identified: false`) of an id identified in an earlier
 * request follow the user too: posthog-js sends `$identify` at once, the batch before it later.
 * Adds those ids to `identifiedAs`, looking them all up at once.
 */
async function addEarlierIdentities(
  productId: string,
  events: CapturedEvent[],
  identifiedAs: Map<string, string>,
  activity: ActivityStore,
): Promise<void> {
  const anonymousIds = new Set<string>();
  for (const event of events) {
    if (event.properties.$is_identified === false && !identifiedAs.has(event.distinctId)) {
      anonymousIds.add(event.distinctId);
    }
  }
  if (anonymousIds.size === 0) return;
  const lookups = [...anonymousIds].map(async (anonymousId) => {
    const userId = await activity.identifiedAs({ productId, userId: anonymousId });
    return { anonymousId, userId };
  });
  for (const { anonymousId, userId } of await Promise.all(lookups)) {
    if (userId && userId !== anonymousId) identifiedAs.set(anonymousId, userId);
  }
}

function isOldestFirst(times: readonly number[]): boolean {
  for (let index = 1; index < times.length; index++) {
    if (!((times[index - 1] as number) <= (times[index] as number))) return false;
  }
  return true;
}

/**
 * Oldest first, each time parsed once. Array sort is stable, so actions of the same instant keep
 * their order; batches that are already in order (nearly all) are not sorted at all.
 */
function byTime(entries: Entry[]): Entry[] {
  const times = entries.map((entry) => Date.parse(entry.action.at));
  if (isOldestFirst(times)) return entries;
  return entries
    .map((entry, index) => ({ entry, time: times[index] as number }))
    .sort((a, b) => a.time - b.time)
    .map(({ entry }) => entry);
}

/**
 * The capture use case: events become redacted actions per user; every open conversation of a user
 * who did something gets a delivery request. Anonymous actions follow the user on `$identify`.
 *
 * Redis is asked as few times as it can be: the users' lookups together, then every user's appends
 * together (each user's actions in one call, so in order), then their conversations together, then
 * the delivery requests together.
 */
export async function recordActivity(
  productId: string,
  events: CapturedEvent[],
  dependencies: RecordActivityDependencies,
): Promise<RecordActivityResult> {
  const merges = mergesIn(productId, events);
  const identifiedAs = new Map(merges.map(({ from, into }) => [from.userId, into.userId]));
  await addEarlierIdentities(productId, events, identifiedAs, dependencies.activity);

  const byUser = new Map<string, Entry[]>();
  const identifiedUsers = new Set<string>();
  const emails: { email: string; userId: string }[] = [];
  let dropped = 0;
  for (const event of events) {
    const email = dependencies.identities ? identifiedEmail(event) : null;
    if (email) emails.push({ email, userId: event.distinctId });
    const action = dependencies.describe(event);
    if (!action) {
      dropped += 1;
      continue;
    }
    const mergedInto = identifiedAs.get(event.distinctId);
    const userId = mergedInto ?? event.distinctId;
    if (mergedInto || !isAnonymousEvent(event)) identifiedUsers.add(userId);
    const entry = { action, eventId: event.uuid };
    const list = byUser.get(userId);
    if (list) list.push(entry);
    else byUser.set(userId, [entry]);
  }
  // In event order: a later identify of the same email wins, as it did one event at a time.
  for (const { email, userId } of emails)
    await dependencies.identities?.rememberEmail(productId, email, userId);
  for (const { from, into } of merges) await dependencies.activity.merge(from, into);

  const appended = await Promise.all(
    [...byUser].map(([userId, entries]) => {
      const ordered = byTime(entries);
      return dependencies.activity.append(
        { productId, userId },
        ordered.map((entry) => entry.action),
        { eventIds: ordered.map((entry) => entry.eventId), isAnonymous: !identifiedUsers.has(userId) },
      );
    }),
  );
  const stored = appended.reduce((total, result) => total + result.ids.length, 0);
  const described = [...byUser.values()].reduce((total, entries) => total + entries.length, 0);
  const newUsers = appended.filter((result) => result.isNewUser).length;

  const touched = new Set<string>([...byUser.keys(), ...merges.map((merge) => merge.into.userId)]);
  const conversations = await Promise.all(
    [...touched].map((userId) => dependencies.links.conversationsOf({ productId, userId })),
  );
  // Conversations are independent of each other: their requests go out together.
  await Promise.all([...new Set(conversations.flat())].map((id) => dependencies.requestDelivery(id)));
  return { stored, dropped, users: touched.size, duplicates: described - stored, newUsers };
}
