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
