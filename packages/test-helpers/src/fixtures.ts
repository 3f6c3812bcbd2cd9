import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository's copy of `../shared/fixtures/intercom/` (byte-identical; a test checks it). */
export const intercomFixturesDir = fileURLToPath(new URL('../../../fixtures/intercom/', import.meta.url));

/** An Intercom webhook fixture, as text. */
export function intercomFixture(name: string): string {
  return readFileSync(`${intercomFixturesDir}${name}`, 'utf8');
}

/**
 * A `conversation.user.*` notification shaped like the shared fixture, with the ids a test needs.
 */
export function conversationNotification(input: {
  topic?: 'conversation.user.created' | 'conversation.user.replied';
  notificationId: string;
  conversationId: string;
  contactId?: string;
  externalId: string | null;
  createdAt?: number;
  /** The notification's own `created_at` (unix seconds); default: now, so it is fresh. */
  notificationCreatedAt?: number;
  appId?: string;
}): Record<string, unknown> {
  const topic = input.topic ?? 'conversation.user.created';
  // biome-ignore lint/suspicious/noExplicitAny: a fixture edited in place by path; its shape is Intercom's, not ours.
  const fixture = JSON.parse(intercomFixture(`${topic}.json`)) as any;
  const contactId = input.contactId ?? `contact-${input.conversationId}`;
  fixture.id = input.notificationId;
  fixture.created_at = input.notificationCreatedAt ?? Math.floor(Date.now() / 1000);
  if (input.appId !== undefined) fixture.app_id = input.appId;
  fixture.data.item.id = input.conversationId;
  fixture.data.item.created_at = input.createdAt ?? Math.floor(Date.now() / 1000);
  fixture.data.item.contacts.contacts = [{ type: 'contact', id: contactId, external_id: input.externalId }];
  fixture.data.item.source.author.id = contactId;
  const parts = fixture.data.item.conversation_parts?.conversation_parts;
  if (Array.isArray(parts) && parts.length > 0) parts[parts.length - 1].author.id = contactId;
  return fixture;
}

/** Topics with a fixture of Threadline's own in fixtures/intercom (see its lifecycle-fixtures.md). */
export type LifecycleTopic =
  | 'conversation.admin.closed'
  | 'conversation.admin.opened'
  | 'conversation.admin.snoozed'
  | 'conversation.admin.unsnoozed'
  | 'conversation.deleted'
  | 'contact.merged'
  | 'contact.deleted';

/**
 * A lifecycle notification from its fixture, with the ids a test needs: the conversation (conversation
 * topics) or the contact (contact topics), and the notification's own time (default: now).
 */
export function lifecycleNotification(
  topic: LifecycleTopic,
  input: {
    notificationId: string;
    conversationId?: string;
    contactId?: string;
    externalId?: string | null;
    notificationCreatedAt?: number;
    appId?: string;
  },
): Record<string, unknown> {
  // biome-ignore lint/suspicious/noExplicitAny: a fixture edited in place by path; its shape is Intercom's, not ours.
  const fixture = JSON.parse(intercomFixture(`${topic}.json`)) as any;
  fixture.id = input.notificationId;
  fixture.created_at = input.notificationCreatedAt ?? Math.floor(Date.now() / 1000);
  if (input.appId !== undefined) fixture.app_id = input.appId;
  const item = fixture.data.item;
  if (topic === 'conversation.deleted') {
    if (input.conversationId !== undefined) item.conversation_id = input.conversationId;
  } else if (topic.startsWith('contact.')) {
    if (input.contactId !== undefined) item.id = input.contactId;
    if (input.externalId !== undefined) item.external_id = input.externalId;
  } else {
    if (input.conversationId !== undefined) item.id = input.conversationId;
    if (input.contactId !== undefined) {
      item.contacts.contacts = [
        { type: 'contact', id: input.contactId, external_id: input.externalId ?? null },
      ];
      item.source.author.id = input.contactId;
    }
  }
  return fixture;
}
