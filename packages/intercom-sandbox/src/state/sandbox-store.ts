import { randomBytes } from 'node:crypto';
import { plainTextToBody } from './intercom-html-body.js';
import type {
  SandboxAddressableList,
  SandboxAdmin,
  SandboxAuthor,
  SandboxContact,
  SandboxConversation,
  SandboxPart,
} from './sandbox-types.js';

/** What a contact is created from. */
export interface NewContact {
  external_id?: string | null;
  email?: string | null;
  name?: string;
}

/** Outcome of redacting a part or a source. */
export type RedactOutcome = 'redacted' | 'conversation_not_found' | 'part_not_found' | 'not_redactable';

/** The states an admin can put a conversation in. */
export type ConversationState = SandboxConversation['state'];

/** Intercom answers at most this many parts, the most recent, in `GET /conversations/{id}` (see the spec). */
export const maxReturnedParts = 500;

/** A copy of the conversation as the API shows it: only its 500 most recent parts. */
export function withReturnedParts(conversation: SandboxConversation): SandboxConversation {
  const parts = conversation.conversation_parts.conversation_parts;
  if (parts.length > maxReturnedParts) {
    conversation.conversation_parts.conversation_parts = parts.slice(-maxReturnedParts);
  }
  return conversation;
}

/** The body Intercom shows in place of a redacted part (see the spec's redact example). */
export const redactedBody = '<p><i>This message was deleted</i></p>';

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

function emptyList(url: string): SandboxAddressableList {
  return { type: 'list', data: [], url, total_count: 0, has_more: false };
}

/**
 * The sandbox workspace's data: contacts, conversations and their parts, in memory. Every read hands out
 * a deep copy so callers cannot change the state behind the API's back.
 */
export class SandboxStore {
  private contacts = new Map<string, SandboxContact>();
  private conversations = new Map<string, SandboxConversation>();
  /**
   * Ids start from the clock, so a restarted sandbox never hands out an id an earlier run used; each
   * further workspace starts far above the first, so conversation ids never repeat across workspaces.
   */
  private readonly idBase: number;
  private nextConversationNumber = 0;
  private nextPartNumber = 0;
  private nextSourceNumber = 0;

  constructor(
    readonly admin: SandboxAdmin,
    readonly appId: string,
    workspaceIndex = 0,
  ) {
    this.idBase = Date.now() * 100 + workspaceIndex * 100_000_000_000;
  }

  /** Creates a contact; a user when it has an `external_id`, a lead otherwise. Throws on a taken `external_id`. */
  createContact(input: NewContact): SandboxContact {
    const externalId = input.external_id ?? null;
    if (externalId !== null && this.findContactByExternalId(externalId)) {
      throw new Error(`a contact with external_id ${externalId} already exists`);
    }
    const now = nowSeconds();
    // Intercom contact ids look like Mongo ObjectIds: 4 bytes of seconds, then 8 more bytes.
    const id = now.toString(16).padStart(8, '0') + randomBytes(8).toString('hex');
    const contact: SandboxContact = {
      type: 'contact',
      id,
      workspace_id: this.appId,
      external_id: externalId,
      role: externalId === null ? 'lead' : 'user',
      email: input.email ?? null,
      phone: null,
      name: input.name ?? null,
      avatar: null,
      owner_id: null,
      social_profiles: { type: 'list', data: [] },
      has_hard_bounced: false,
      marked_email_as_spam: false,
      unsubscribed_from_emails: false,
      created_at: now,
      updated_at: now,
      signed_up_at: externalId === null ? null : now,
      last_seen_at: null,
      last_replied_at: null,
      last_contacted_at: null,
      last_email_opened_at: null,
      last_email_clicked_at: null,
      language_override: null,
      browser: null,
      browser_version: null,
      browser_language: null,
      os: null,
      location: {
        type: 'location',
        country: null,
        region: null,
        city: null,
        country_code: null,
        continent_code: null,
      },
      custom_attributes: {},
      tags: emptyList(`/contacts/${id}/tags`),
      notes: emptyList(`/contacts/${id}/notes`),
      companies: emptyList(`/contacts/${id}/companies`),
      opted_out_subscription_types: emptyList(`/contacts/${id}/subscriptions`),
      opted_in_subscription_types: emptyList(`/contacts/${id}/subscriptions`),
      utm_campaign: null,
      utm_content: null,
      utm_medium: null,
      utm_source: null,
      utm_term: null,
      referrer: null,
    };
    this.contacts.set(id, contact);
    return structuredClone(contact);
  }

  /** A copy of the contact with this Intercom id. */
  contact(id: string): SandboxContact | undefined {
    const contact = this.contacts.get(id);
    return contact && structuredClone(contact);
  }

  /** A copy of the contact with this `external_id`. */
  findContactByExternalId(externalId: string): SandboxContact | undefined {
    return this.allContacts().find((contact) => contact.external_id === externalId);
  }

  /** A copy of the first contact with this email. */
  findContactByEmail(email: string): SandboxContact | undefined {
    return this.allContacts().find((contact) => contact.email === email);
  }

  /** Copies of all contacts, oldest first. */
  allContacts(): SandboxContact[] {
    return [...this.contacts.values()].map((contact) => structuredClone(contact));
  }

  /** Opens a conversation started by the contact; `body` is the plain text they typed, `url` the page they were on. */
  createConversation(input: { contactId: string; body?: string; url?: string }): SandboxConversation {
    const contact = this.contacts.get(input.contactId);
    if (!contact) throw new Error(`no contact with id ${input.contactId}`);
    const now = nowSeconds();
    this.nextConversationNumber += 1;
    this.nextSourceNumber += 1;
    // Numeric-string ids shaped like Intercom's; the offsets keep conversation, source and part ids apart.
    const conversation: SandboxConversation = {
      type: 'conversation',
      id: String(this.idBase + this.nextConversationNumber),
      created_at: now,
      updated_at: now,
      waiting_since: now,
      snoozed_until: null,
      source: {
        type: 'conversation',
        id: String(2812345000 + this.nextSourceNumber),
        delivered_as: 'customer_initiated',
        subject: '',
        body: plainTextToBody(input.body ?? 'Hi, I need some help.'),
        author: this.contactAuthor(contact),
        attachments: [],
        url: input.url ?? null,
        redacted: false,
      },
      contacts: {
        type: 'contact.list',
        contacts: [{ type: 'contact', id: contact.id, external_id: contact.external_id }],
      },
      first_contact_reply: { created_at: now, type: 'conversation', url: null },
      admin_assignee_id: null,
      team_assignee_id: null,
      open: true,
      state: 'open',
      read: false,
      tags: { type: 'tag.list', tags: [] },
      priority: 'none',
      sla_applied: null,
      statistics: null,
      conversation_rating: null,
      teammates: null,
      title: null,
      custom_attributes: {},
      topics: {},
      ticket: null,
      linked_objects: { type: 'list', data: [], total_count: 0, has_more: false },
      ai_agent: null,
      ai_agent_participated: false,
      conversation_parts: { type: 'conversation_part.list', conversation_parts: [], total_count: 0 },
    };
    this.conversations.set(conversation.id, conversation);
    return structuredClone(conversation);
  }

  /** A copy of the conversation with all its parts. */
  conversation(id: string): SandboxConversation | undefined {
    const conversation = this.conversations.get(id);
    return conversation && structuredClone(conversation);
  }

  /** Copies of all conversations, newest first. */
  allConversations(): SandboxConversation[] {
    return [...this.conversations.values()].reverse().map((conversation) => structuredClone(conversation));
  }

  /** The newest conversation the contact takes part in (what `conversation_id: "last"` refers to). */
  lastConversationOf(contactId: string): SandboxConversation | undefined {
    return this.allConversations().find((conversation) =>
      conversation.contacts.contacts.some((contact) => contact.id === contactId),
    );
  }

  /**
   * Adds a note or comment by the workspace admin; `body` is stored as given (already normalised HTML).
   * Like Intercom, a note or reply wakes a snoozed conversation.
   */
  addAdminPart(
    conversationId: string,
    partType: SandboxPart['part_type'],
    body: string,
    createdAt?: number,
  ): SandboxPart | undefined {
    const conversation = this.conversations.get(conversationId);
    if (conversation?.state === 'snoozed') this.setState(conversationId, 'open');
    return this.addPart(conversationId, partType, this.adminAuthor(), body, createdAt);
  }

  /**
   * An admin closes, snoozes or opens the conversation: a state part (`close`, `snoozed`, `unsnoozed`,
   * `open`) is added and the state follows. Returns the part, or undefined for an unknown conversation
   * or a conversation already in that state.
   */
  setState(conversationId: string, state: ConversationState, snoozedUntil?: number): SandboxPart | undefined {
    const conversation = this.conversations.get(conversationId);
    if (!conversation || conversation.state === state) return undefined;
    const partType: SandboxPart['part_type'] =
      state === 'closed'
        ? 'close'
        : state === 'snoozed'
          ? 'snoozed'
          : conversation.state === 'snoozed'
            ? 'unsnoozed'
            : 'open';
    conversation.state = state;
    conversation.open = state !== 'closed';
    conversation.snoozed_until = state === 'snoozed' ? (snoozedUntil ?? nowSeconds() + 86_400) : null;
    return this.addPart(conversationId, partType, this.adminAuthor(), null);
  }

  /** Adds a comment by the contact (a user reply); `body` is HTML. Like Intercom, a reply reopens the conversation. */
  addContactComment(
    conversationId: string,
    contactId: string,
    body: string,
    createdAt?: number,
  ): SandboxPart | undefined {
    const contact = this.contacts.get(contactId);
    if (!contact) return undefined;
    const part = this.addPart(conversationId, 'comment', this.contactAuthor(contact), body, createdAt);
    const conversation = this.conversations.get(conversationId);
    if (part && conversation) {
      conversation.waiting_since = part.created_at;
      conversation.state = 'open';
      conversation.open = true;
      conversation.snoozed_until = null;
    }
    return part;
  }

  /** Deletes a conversation (as an admin can in the Inbox); false when there was none. */
  deleteConversation(conversationId: string): boolean {
    return this.conversations.delete(conversationId);
  }

  /** Redacts one part: its body becomes {@link redactedBody}. A part already redacted is not redactable. */
  redactPart(conversationId: string, partId: string): RedactOutcome {
    const conversation = this.conversations.get(conversationId);
    if (!conversation) return 'conversation_not_found';
    const part = conversation.conversation_parts.conversation_parts.find(
      (candidate) => candidate.id === partId,
    );
    if (!part) return 'part_not_found';
    if (part.redacted || !part.body) return 'not_redactable';
    part.body = redactedBody;
    part.redacted = true;
    part.updated_at = nowSeconds();
    conversation.updated_at = part.updated_at;
    return 'redacted';
  }

  /** Redacts the message that opened the conversation; only a contact's message can be redacted. */
  redactSource(conversationId: string, sourceId: string): RedactOutcome {
    const conversation = this.conversations.get(conversationId);
    if (!conversation) return 'conversation_not_found';
    if (conversation.source.id !== sourceId) return 'part_not_found';
    if (conversation.source.redacted || conversation.source.author.type === 'admin') return 'not_redactable';
    conversation.source.body = redactedBody;
    conversation.source.redacted = true;
    conversation.updated_at = nowSeconds();
    return 'redacted';
  }

  /** Forgets everything; ids keep counting so ids from before a reset never come back. */
  reset(): void {
    this.contacts.clear();
    this.conversations.clear();
  }

  private addPart(
    conversationId: string,
    partType: SandboxPart['part_type'],
    author: SandboxAuthor,
    body: string | null,
    createdAt?: number,
  ): SandboxPart | undefined {
    const conversation = this.conversations.get(conversationId);
    if (!conversation) return undefined;
    const now = nowSeconds();
    this.nextPartNumber += 1;
    const part: SandboxPart = {
      type: 'conversation_part',
      id: String(this.idBase + this.nextPartNumber),
      part_type: partType,
      body,
      created_at: createdAt ?? now,
      updated_at: now,
      notified_at: now,
      assigned_to: null,
      author,
      attachments: [],
      external_id: null,
      redacted: false,
      metadata: {},
      email_message_metadata: null,
      app_package_code: null,
    };
    conversation.conversation_parts.conversation_parts.push(part);
    conversation.conversation_parts.total_count = conversation.conversation_parts.conversation_parts.length;
    conversation.updated_at = now;
    return structuredClone(part);
  }

  private adminAuthor(): SandboxAuthor {
    return { type: 'admin', id: this.admin.id, name: this.admin.name, email: this.admin.email };
  }

  private contactAuthor(contact: SandboxContact): SandboxAuthor {
    return { type: contact.role, id: contact.id, name: contact.name, email: contact.email };
  }
}
