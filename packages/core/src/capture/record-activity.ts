import type { Action, CapturedEvent } from '../actions/action.js';
import { describeEvent } from '../actions/describe-event.js';
import { identifiedEmail } from '../actions/identified-email.js';
import type { IdentityMode, IdentitySettings } from '../identity/identity-mode.js';
import type { ActivityStore, IdentityState, UserRef } from '../ports/activity-store.js';
import type { IdentityStore } from '../ports/identity-store.js';
import type { LinkStore } from '../ports/link-store.js';

export interface RecordActivityDependencies {
  activity: ActivityStore;
  links: Pick<LinkStore, 'get' | 'conversationsOf'>;
  /** The events' descriptions made beforehand (capture describes in slices); absent: described here. */
  actions?: ReadonlyMap<CapturedEvent, Action | null>;
  /** Set only with LINK_BY_EMAIL: remembers which user an identify call gave an email. */
  identities?: Pick<IdentityStore, 'rememberEmail'>;
  /** Asks for a note delivery for this conversation soon (coalesced by the queue). */
  requestDelivery(conversationId: string): Promise<void>;
  /** Absent: `CAPTURE_IDENTITY=off` from the public key. */
  identity?: IdentitySettings;
}

export interface RecordActivityResult {
  stored: number;
  dropped: number;
  /** Events refused because `CAPTURE_IDENTITY=require` and nothing proved who sent them. */
  unverified: number;
  users: number;
  /** Actions left out because their event was already stored (a client's retry). */
  duplicates: number;
  /** Actions left out because their event time is older than the retention. */
  expired: number;
  /** Users whose first actions these were. */
  newUsers: number;
}

const off: IdentitySettings = { mode: 'off', isTrustedSource: false };

/** One event with what the identity rules decided about it. */
interface Judged {
  event: CapturedEvent;
  isVerified: boolean;
  /** posthog-js marks events before `identify` `$is_identified: false`; the sender chooses it. */
  claimsAnonymous: boolean;
}

/** An `$identify` that ends an anonymous visitor's history: its actions move to the identified user. */
interface Merge {
  from: UserRef;
  into: UserRef;
}

/**
 * Events that end an anonymous id: `$identify`, and `$create_alias` (Segment's `alias`, Amplitude's
 * first event with both a user and a device id) with the same protections; only these two carry a
 * `$anon_distinct_id` that moves actions.
 */
const mergingEvents: ReadonlySet<string> = new Set(['$identify', '$create_alias']);

/**
 * The `$identify` (or `$create_alias`) calls that may move an anonymous id, first one per id: with `require` only a
 * verified one, and never of an id that proves or says in this same batch that it is a user.
 */
function mergesIn(
  productId: string,
  judged: Judged[],
  identifiedHere: Set<string>,
  mode: IdentityMode,
): Merge[] {
  const merges = new Map<string, Merge>();
  for (const { event, isVerified } of judged) {
    const anonymousId = event.properties.$anon_distinct_id;
    if (!mergingEvents.has(event.event) || typeof anonymousId !== 'string' || !anonymousId) continue;
    if (anonymousId === event.distinctId || merges.has(anonymousId) || identifiedHere.has(anonymousId))
      continue;
    if (mode === 'require' && !isVerified) continue;
    merges.set(anonymousId, {
      from: { productId, userId: anonymousId },
      into: { productId, userId: event.distinctId },
    });
  }
  return [...merges.values()];
}

/** Asks the store about every id of an unverified anonymous event, all at once. */
async function identityStates(
  productId: string,
  judged: Judged[],
  activity: ActivityStore,
): Promise<Map<string, IdentityState>> {
  const ids = new Set<string>();
  for (const { event, isVerified, claimsAnonymous } of judged) {
    if (claimsAnonymous && !isVerified) ids.add(event.distinctId);
  }
  const states = await Promise.all(
    [...ids].map(async (userId) => [userId, await activity.identityOf({ productId, userId })] as const),
  );
  return new Map(states);
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

/** One action to store, with the client's id of its event (for deduplication). */
interface Entry {
  action: Action;
  eventId: string | undefined;
}

/**
 * posthog-js marks a visitor's events before `identify` `$is_identified: false`, and their
 * distinct_id is its device id. The client says so, so this only chooses how long a stream is kept
 * (ACTIVITY_ANONYMOUS_RETENTION_S), never who may read it.
 */
function looksAnonymous(event: CapturedEvent): boolean {
  return event.properties.$is_identified === false || event.properties.$device_id === event.distinctId;
}

/** Where one user's actions of this request go, and whether the request proved the id is a user. */
interface Destination {
  userId: string;
  pending: boolean;
  markIdentified: boolean;
  /** Every event of it looks anonymous: a new stream gets the shorter retention. */
  isAnonymous: boolean;
  entries: Entry[];
}

/**
 * The capture use case: events become redacted actions per user; every open conversation of a user
 * who did something gets a delivery request. Anonymous actions follow the user on `$identify`.
 *
 * Identity rules (see docs/capture.md, "Verified identity"): an id whose events say or prove it is a
 * user is marked identified and never merged away; a merge needs an id that was never identified,
 * has no conversation and was never merged before, and with `require` a verified `$identify`. With
 * `require`, an unverified event is refused unless it says it is anonymous and its id is not a known
 * user; such events are kept apart (pending) until a verified `$identify` moves them. With `mark`,
 * unverified actions are kept and marked `verified: false`.
 *
 * Redis is asked as few times as it can be: the merges and the ids' lookups together, then every
 * user's append in one pipeline (each user's actions in one call, so in order, answering the user's
 * linked conversations), then the state of those conversations, then the delivery requests together.
 */
export async function recordActivity(
  productId: string,
  events: CapturedEvent[],
  dependencies: RecordActivityDependencies,
): Promise<RecordActivityResult> {
  const { mode, isTrustedSource } = dependencies.identity ?? off;
  let unverified = 0;
  const judged: Judged[] = [];
  // Ids that prove (or, when nothing is checked, say) in this batch that they are a user.
  const identifiedHere = new Set<string>();
  for (const event of events) {
    const isVerified = mode !== 'off' && (isTrustedSource || event.verified === true);
    const claimsAnonymous = event.properties.$is_identified === false;
    if (mode === 'require' && !isVerified && !claimsAnonymous) {
      unverified += 1;
      continue;
    }
    if (isVerified || (mode !== 'require' && !claimsAnonymous)) identifiedHere.add(event.distinctId);
    judged.push({ event, isVerified, claimsAnonymous });
  }

  const merges = mergesIn(productId, judged, identifiedHere, mode);
  const [outcomes, states] = await Promise.all([
    Promise.all(merges.map(({ from, into }) => dependencies.activity.merge(from, into))),
    identityStates(productId, judged, dependencies.activity),
  ]);
  // posthog-js sends the pre-login events in the same batch as the `$identify` that ends them; those
  // go straight to the user when the merge was accepted, or they would be stranded.
  const followsMerge = new Map<string, string>();
  merges.forEach(({ from, into }, index) => {
    if (outcomes[index]?.kind === 'merged') followsMerge.set(from.userId, into.userId);
  });

  const destinations = new Map<string, Destination>();
  const destination = (userId: string, pending: boolean): Destination => {
    const key = `${pending ? 'p' : 'a'}:${userId}`;
    let found = destinations.get(key);
    if (!found) {
      found = { userId, pending, markIdentified: false, isAnonymous: true, entries: [] };
      destinations.set(key, found);
    }
    return found;
  };
  const emails: { email: string; userId: string }[] = [];
  let dropped = 0;
  for (const { event, isVerified, claimsAnonymous } of judged) {
    const { distinctId } = event;
    const state = states.get(distinctId);
    const isKnownUser = identifiedHere.has(distinctId) || state?.isIdentified === true;
    // Anonymous events follow an accepted merge: of this batch, or of an earlier request (posthog-js
    // sends `$identify` at once, the batch before it later), unless the id has become a user since.
    const followedUser =
      claimsAnonymous && !isVerified
        ? (followsMerge.get(distinctId) ?? (isKnownUser ? null : state?.mergedInto))
        : null;
    let target: Destination;
    if (mode === 'require' && !isVerified) {
      // Claims to be anonymous: kept apart unless a verified `$identify` already took it in.
      if (followedUser) target = destination(followedUser, false);
      else if (isKnownUser) {
        unverified += 1;
        continue;
      } else target = destination(distinctId, true);
    } else {
      target = destination(followedUser ?? distinctId, false);
      if (!followedUser && identifiedHere.has(distinctId)) target.markIdentified = true;
    }
    if (followedUser || isVerified || !looksAnonymous(event)) target.isAnonymous = false;
    const email =
      dependencies.identities && (mode !== 'require' || isVerified) ? identifiedEmail(event) : null;
    if (email) emails.push({ email, userId: distinctId });
    const action = dependencies.actions ? (dependencies.actions.get(event) ?? null) : describeEvent(event);
    if (!action) {
      dropped += 1;
      continue;
    }
    if (mode === 'mark' && !isVerified) action.verified = false;
    target.entries.push({ action, eventId: event.uuid });
  }
  // In event order: a later identify of the same email wins, as it did one event at a time.
  for (const { email, userId } of emails)
    await dependencies.identities?.rememberEmail(productId, email, userId);

  const targets = [...destinations.values()];
  // One call per user (its append answers its linked conversations), all in one pipeline.
  const appended = await dependencies.activity.appendAll(
    targets.map(({ userId, pending, markIdentified, isAnonymous, entries }) => {
      const ordered = byTime(entries);
      return {
        user: { productId, userId },
        actions: ordered.map((entry) => entry.action),
        options: {
          eventIds: ordered.map((entry) => entry.eventId),
          isAnonymous: isAnonymous && !markIdentified,
          ...(pending ? { pending } : {}),
          ...(markIdentified ? { markIdentified } : {}),
        },
      };
    }),
  );
  const stored = appended.reduce((total, result) => total + result.ids.length, 0);
  const expired = appended.reduce((total, result) => total + (result.expired ?? 0), 0);
  const described = targets.reduce((total, { entries }) => total + entries.length, 0);
  const newUsers = appended.filter((result) => result.isNewUser).length;

  // The users who did something, with the conversations their append answered.
  const linked = new Map<string, readonly string[]>();
  targets.forEach(({ userId, pending, entries }, index) => {
    if (!pending && entries.length > 0) linked.set(userId, appended[index]?.conversations ?? []);
  });
  // A merge's user got the moved actions through the merge, not an append of this request.
  const mergedOnly = merges.filter(
    ({ into }, index) =>
      outcomes[index]?.kind === 'merged' &&
      (outcomes[index] as { moved: number }).moved > 0 &&
      !linked.has(into.userId),
  );
  const mergedConversations = await Promise.all(
    mergedOnly.map(({ into }) => dependencies.links.conversationsOf(into)),
  );
  // Only a user's linked conversations are checked for being open (on their own slots): a user
  // without a conversation costs its append alone.
  const candidates = [...new Set([...linked.values()].flat())];
  const links = await Promise.all(candidates.map((id) => dependencies.links.get(id)));
  const open = candidates.filter((_id, index) => links[index]?.status === 'open');
  const touched = new Set([...linked.keys(), ...mergedOnly.map(({ into }) => into.userId)]);
  // Conversations are independent of each other: their requests go out together.
  await Promise.all(
    [...new Set([...open, ...mergedConversations.flat()])].map((id) => dependencies.requestDelivery(id)),
  );
  return {
    stored,
    dropped,
    unverified,
    users: touched.size,
    duplicates: described - stored - expired,
    expired,
    newUsers,
  };
}
