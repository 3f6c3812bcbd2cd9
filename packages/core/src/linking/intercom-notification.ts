import { z } from 'zod';

const id = z.union([z.string().min(1).max(200), z.number().transform(String)]);
const nullableText = z.string().max(2000).nullish();

const contactReference = z.looseObject({
  type: z.string().optional(),
  id,
  external_id: nullableText,
  email: nullableText,
});

const author = z.looseObject({ type: z.string(), id: id.optional(), email: nullableText });

const conversationPart = z.looseObject({ part_type: z.string().optional(), author: author.nullish() });

/** Intercom's API 2.x conversation item (only what linking needs). */
const conversationV2 = z.looseObject({
  type: z.literal('conversation'),
  id,
  created_at: z.number().nullish(),
  contacts: z.looseObject({ contacts: z.array(contactReference).max(100) }).nullish(),
  source: z.looseObject({ author: author.nullish() }).nullish(),
  conversation_parts: z.looseObject({ conversation_parts: z.array(conversationPart).max(1000) }).nullish(),
  user: z.undefined().optional(),
});

/** The older API 1.x item: `user {id, user_id, email}` and `conversation_message`. */
const conversationV1 = z.looseObject({
  type: z.literal('conversation'),
  id,
  created_at: z.number().nullish(),
  user: z.looseObject({ id, user_id: nullableText, email: nullableText }),
  conversation_message: z.looseObject({ author: author.nullish() }).nullish(),
  conversation_parts: z.looseObject({ conversation_parts: z.array(conversationPart).max(1000) }).nullish(),
});

export const intercomNotificationSchema = z.looseObject({
  type: z.literal('notification_event'),
  id: z.string().min(1).max(200).nullable(),
  app_id: z.string().max(100).nullish(),
  topic: z.string().min(1).max(200),
  delivery_attempts: z.number().nullish(),
  created_at: z.number().nullish(),
  data: z.looseObject({ item: z.unknown() }),
});

export type IntercomNotification = z.infer<typeof intercomNotificationSchema>;

/** Who, in Intercom's terms, wrote to us: a contact id plus what Intercom knows of their identity. */
export interface ConversationContact {
  contactId: string;
  externalId: string | null;
  email: string | null;
}

export interface ConversationStart {
  conversationId: string;
  /** Unix seconds, when Intercom says the conversation was created. */
  createdAt: number | null;
  contact: ConversationContact | null;
}

/** The topics that mean "a user opened or replied to a conversation". */
export const linkingTopics = new Set(['conversation.user.created', 'conversation.user.replied']);

/** Topics that move a linked conversation through its life; their item is a conversation. */
export const conversationLifecycleTopics = new Set([
  'conversation.admin.closed',
  'conversation.admin.opened',
  'conversation.admin.snoozed',
  'conversation.admin.unsnoozed',
]);

/** Topics whose item is a contact. */
export const contactTopics = new Set(['contact.merged', 'contact.deleted']);

/** Every topic Threadline acts on (the ones to subscribe to). */
export const subscribedTopics = new Set([
  ...linkingTopics,
  ...conversationLifecycleTopics,
  'conversation.deleted',
  ...contactTopics,
]);

// `*.deleted` topics send only identifying fields: `{ type: "conversation", conversation_id }`.
const deletedConversation = z.looseObject({
  type: z.literal('conversation'),
  conversation_id: id.optional(),
  id: id.optional(),
});

/** The conversation id of a `conversation.deleted` item. */
export function readDeletedConversation(item: unknown): string | null {
  const parsed = deletedConversation.safeParse(item);
  if (!parsed.success) return null;
  return parsed.data.conversation_id ?? parsed.data.id ?? null;
}

const contactItem = z.looseObject({
  type: z.literal('contact'),
  id,
  external_id: nullableText,
  email: nullableText,
  merge_history: z
    .array(z.looseObject({ source_contact_id: id }))
    .max(100)
    .nullish(),
});

/** The contact of a `contact.*` item, and the contacts merged into it when the item lists them. */
export function readContact(item: unknown): { contact: ConversationContact; mergedFrom: string[] } | null {
  const parsed = contactItem.safeParse(item);
  if (!parsed.success) return null;
  return {
    contact: {
      contactId: parsed.data.id,
      externalId: parsed.data.external_id ?? null,
      email: parsed.data.email ?? null,
    },
    mergedFrom: (parsed.data.merge_history ?? []).map((entry) => entry.source_contact_id),
  };
}

/**
 * Reads the conversation and the contact that acted from a notification item, in either API shape.
 * For a reply the acting contact is the author of the last conversation part (an admin may have
 * started the conversation); for a new conversation it is the first contact.
 */
export function readConversation(topic: string, item: unknown): ConversationStart | null {
  const v2 = conversationV2.safeParse(item);
  if (v2.success) {
    const conversation = v2.data;
    const contacts = conversation.contacts?.contacts ?? [];
    const parts = conversation.conversation_parts?.conversation_parts ?? [];
    const lastAuthor = parts.at(-1)?.author;
    let acting = contacts[0];
    if (topic === 'conversation.user.replied' && lastAuthor?.id !== undefined) {
      acting = contacts.find((contact) => contact.id === lastAuthor.id) ?? acting;
    }
    return {
      conversationId: conversation.id,
      createdAt: conversation.created_at ?? null,
      contact: acting
        ? { contactId: acting.id, externalId: acting.external_id ?? null, email: acting.email ?? null }
        : null,
    };
  }
  const v1 = conversationV1.safeParse(item);
  if (v1.success) {
    const { user } = v1.data;
    return {
      conversationId: v1.data.id,
      createdAt: v1.data.created_at ?? null,
      contact: { contactId: user.id, externalId: user.user_id ?? null, email: user.email ?? null },
    };
  }
  return null;
}
