import { prechatCursor } from '../actions/event-time-order.js';
import type { ActivityStore } from '../ports/activity-store.js';
import type { IdentityStore } from '../ports/identity-store.js';
import type { IntercomPort } from '../ports/intercom-port.js';
import type { LinkStore } from '../ports/link-store.js';
import type { LinkRequest } from './link-request.js';

export type LinkOutcome =
  | { kind: 'linked'; conversationId: string; userId: string; prechatActions: number }
  | { kind: 'already_linked'; conversationId: string }
  /** Deleted (or its contact was): a late notification does not bring the link back. */
  | { kind: 'ended'; conversationId: string }
  | { kind: 'unlinkable'; conversationId: string; reason: string };

export interface LinkConversationDependencies {
  activity: ActivityStore;
  links: LinkStore;
  intercom: Pick<IntercomPort, 'findContact'>;
  /** The product the Intercom workspace belongs to. */
  productIdForApp(appId: string | null): string;
  prechatActions: number;
  /** Set only with LINK_BY_EMAIL: the weaker fallback for contacts without external_id. */
  identities?: Pick<IdentityStore, 'userByEmail'>;
  /** How far back to look for pre-chat actions (the activity store's cap). */
  maxStoredActions: number;
  now(): Date;
}

/**
 * Ties a conversation to the product user behind its contact (`external_id`), once. The first note
 * then starts with up to `prechatActions` actions from before the conversation was opened.
 */
export async function linkConversation(
  request: LinkRequest,
  dependencies: LinkConversationDependencies,
): Promise<LinkOutcome> {
  const { links, activity } = dependencies;
  const conversationId = request.conversationId;
  if (await links.get(conversationId)) return { kind: 'already_linked', conversationId };
  if ((await links.lifecycle(conversationId))?.state === 'ended') return { kind: 'ended', conversationId };

  const unlinkable = async (reason: string): Promise<LinkOutcome> => {
    await links.recordUnlinked({ conversationId, reason, at: dependencies.now().toISOString() });
    return { kind: 'unlinkable', conversationId, reason };
  };
  if (!request.contact) return unlinkable('the notification names no contact');
  const productId = dependencies.productIdForApp(request.appId);
  let externalId = request.contact.externalId;
  let email = request.contact.email;
  if (!externalId) {
    const contact = await dependencies.intercom.findContact(request.contact.contactId);
    if (!contact) return unlinkable(`contact ${request.contact.contactId} was not found in Intercom`);
    externalId = contact.externalId;
    email ??= contact.email;
  }
  if (!externalId && email && dependencies.identities) {
    externalId = await dependencies.identities.userByEmail(productId, email);
  }
  if (!externalId) {
    // A lead now; a `contact.merged` into a user can link it later.
    await links.awaitContact({
      conversationId,
      contactId: request.contact.contactId,
      appId: request.appId,
      conversationCreatedAt: request.conversationCreatedAt,
    });
    return unlinkable(
      dependencies.identities
        ? 'the contact has no external_id and no identified user has its email'
        : 'the contact has no external_id (a lead, or a user not identified by id; LINK_BY_EMAIL is off)',
    );
  }

  const user = { productId, userId: externalId };
  const recent = await activity.listRecent(user, dependencies.maxStoredActions);
  const openedAt =
    request.conversationCreatedAt === null ? Number.POSITIVE_INFINITY : request.conversationCreatedAt * 1000;
  // The newest PRECHAT_ACTIONS by event time, whatever order their requests arrived in.
  const { startAfter, before: countBefore } = prechatCursor(recent, openedAt, dependencies.prechatActions);
  const created = await links.create(
    {
      conversationId,
      productId: user.productId,
      userId: user.userId,
      appId: request.appId,
      sessionId: recent.at(-1)?.sessionId ?? null,
      conversationCreatedAt: request.conversationCreatedAt,
      linkedAt: dependencies.now().toISOString(),
      status: 'open',
      contactId: request.contact.contactId,
    },
    startAfter,
  );
  if (!created) return { kind: 'already_linked', conversationId };
  return {
    kind: 'linked',
    conversationId,
    userId: user.userId,
    prechatActions: Math.min(countBefore, dependencies.prechatActions),
  };
}
