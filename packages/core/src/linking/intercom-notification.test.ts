import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { intercomNotificationSchema, readConversation } from './intercom-notification.js';

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../../../fixtures/intercom/${name}`, import.meta.url), 'utf8'));

describe('readConversation', () => {
  it('reads the first contact of a new conversation (API 2.x)', () => {
    const notification = intercomNotificationSchema.parse(fixture('conversation.user.created.json'));
    expect(readConversation(notification.topic, notification.data.item)).toEqual({
      conversationId: '215469381234567',
      createdAt: 1760000000,
      contact: { contactId: '6762f1571bb69f9f2193bbbb', externalId: 'user_8812', email: null },
    });
  });

  it('takes the author of the last part as the replying contact', () => {
    const notification = fixture('conversation.user.replied.json');
    notification.data.item.contacts.contacts = [
      { type: 'contact', id: 'contact-a', external_id: 'user_a' },
      { type: 'contact', id: 'contact-b', external_id: 'user_b' },
    ];
    notification.data.item.source.author.id = 'contact-a';
    const parts = notification.data.item.conversation_parts.conversation_parts;
    parts[parts.length - 1].author.id = 'contact-b';
    expect(readConversation(notification.topic, notification.data.item)?.contact).toEqual({
      contactId: 'contact-b',
      externalId: 'user_b',
      email: null,
    });
  });

  it('understands the API 1.x item shape', () => {
    const item = {
      type: 'conversation',
      id: '987',
      created_at: 1760000100,
      user: { type: 'user', id: '5a1b', user_id: 'legacy_user_7', email: 'legacy@example.com' },
      conversation_message: { author: { type: 'user', id: '5a1b' }, body: '<p>help</p>' },
      conversation_parts: { conversation_parts: [] },
    };
    expect(readConversation('conversation.user.created', item)).toEqual({
      conversationId: '987',
      createdAt: 1760000100,
      contact: { contactId: '5a1b', externalId: 'legacy_user_7', email: 'legacy@example.com' },
    });
  });

  it('returns null for an item that is not a conversation', () => {
    expect(readConversation('conversation.user.created', { type: 'contact', id: '1' })).toBeNull();
    expect(readConversation('conversation.user.created', 'nonsense')).toBeNull();
  });

  it('accepts the ping notification (id null) as a notification', () => {
    const ping = JSON.parse(
      readFileSync(new URL('../../../../fixtures/intercom/ping.body', import.meta.url), 'utf8'),
    );
    expect(intercomNotificationSchema.safeParse(ping).success).toBe(true);
  });
});
