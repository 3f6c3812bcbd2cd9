import type { LinkStore } from '../ports/link-store.js';
import { applyLifecycleEvent } from './apply-lifecycle-event.js';
import { type LinkConversationDependencies, linkConversation } from './link-conversation.js';
import type { LinkRequest } from './link-request.js';

export type ContactMergeOutcome =
  | { kind: 'merged'; userId: string; relinked: string[]; linked: string[] }
  | { kind: 'ignored'; reason: string };

function eventTime(request: LinkRequest, now: Date): number {
  return request.notificationAt ?? Math.floor(now.getTime() / 1000);
}

async function conversationsOfContacts(
  links: Pick<LinkStore, 'conversationsOfContact'>,
  contactIds: string[],
) {
  const ids = new Set<string>();
  for (const contactId of contactIds) {
    for (const conversationId of await links.conversationsOfContact(contactId)) ids.add(conversationId);
  }
  return [...ids];
}

/**
 * `contact.merged`: a lead became a user. The conversations of the contact (and of the contacts merged
 * into it, when the item lists them) now belong to the user's `external_id`: linked ones move to that
 * user, conversations that waited for an `external_id` are linked now.
 */
export async function relinkMergedContact(
  request: LinkRequest,
  dependencies: LinkConversationDependencies,
): Promise<ContactMergeOutcome> {
  const { links } = dependencies;
  const contact = request.contact;
  if (!contact) return { kind: 'ignored', reason: 'the notification names no contact' };
  let externalId = contact.externalId;
  if (!externalId)
    externalId = (await dependencies.intercom.findContact(contact.contactId))?.externalId ?? null;
  if (!externalId) return { kind: 'ignored', reason: 'the merged contact has no external_id' };
  const productId = dependencies.productIdForApp(request.appId);
  const relinked: string[] = [];
  const linked: string[] = [];
  const contactIds = [contact.contactId, ...(request.mergedFrom ?? [])];
  for (const conversationId of await conversationsOfContacts(links, contactIds)) {
    const link = await links.get(conversationId);
    if (link) {
      if (link.userId === externalId && link.productId === productId) continue;
      await links.relink(conversationId, { productId, userId: externalId });
      relinked.push(conversationId);
      continue;
    }
    const awaiting = await links.awaiting(conversationId);
    if (!awaiting) continue;
    const outcome = await linkConversation(
      {
        ...request,
        appId: awaiting.appId,
        conversationId,
        conversationCreatedAt: awaiting.conversationCreatedAt,
        contact: { contactId: awaiting.contactId, externalId, email: null },
      },
      dependencies,
    );
    if (outcome.kind === 'linked') linked.push(conversationId);
  }
  return { kind: 'merged', userId: externalId, relinked, linked };
}

/**
 * `contact.deleted`: every link through that contact ends (and, when the item names its `external_id`,
 * every link of that user), with its keys.
 */
export async function forgetContact(
  request: LinkRequest,
  dependencies: Pick<LinkConversationDependencies, 'links' | 'productIdForApp' | 'now'>,
): Promise<{ ended: string[] }> {
  const { links } = dependencies;
  const contact = request.contact;
  if (!contact) return { ended: [] };
  const ids = new Set(await conversationsOfContacts(links, [contact.contactId]));
  if (contact.externalId) {
    const user = { productId: dependencies.productIdForApp(request.appId), userId: contact.externalId };
    for (const link of await links.linksOf(user)) ids.add(link.conversationId);
  }
  const at = eventTime(request, dependencies.now());
  const ended: string[] = [];
  for (const conversationId of ids) {
    const outcome = await applyLifecycleEvent(
      conversationId,
      { kind: 'deleted', at },
      links,
      'contact deleted',
    );
    if (outcome.effect === 'end') ended.push(conversationId);
  }
  return { ended };
}
