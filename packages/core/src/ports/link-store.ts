import type { LifecycleRecord } from '../linking/link-lifecycle.js';
import type { UserRef } from './activity-store.js';

/** A conversation tied to the product user (and the session active when it was linked). */
export interface ConversationLink extends UserRef {
  conversationId: string;
  appId: string | null;
  sessionId: string | null;
  /** Unix seconds, Intercom's created_at of the conversation. */
  conversationCreatedAt: number | null;
  linkedAt: string;
  /** Where the link is in its life (see `nextLifecycle`); an ended link has no record at all. */
  status: 'open' | 'closed' | 'snoozed';
  /** The Intercom contact it was linked through (for `contact.deleted` and `contact.merged`). */
  contactId?: string | null;
}

/** Why a conversation is paused, and since when (Unix seconds): what the catch-up note is headed with. */
export interface CatchUp {
  from: 'closed' | 'snoozed';
  since: number;
}

/** A conversation that could not be linked because its contact had no `external_id` (yet). */
export interface AwaitingLink {
  conversationId: string;
  contactId: string;
  appId: string | null;
  conversationCreatedAt: number | null;
}

export interface LinkStore {
  get(conversationId: string): Promise<ConversationLink | null>;
  /**
   * Links the conversation and sets where note delivery starts, once: a second call for the same
   * conversation changes nothing and returns false.
   */
  create(link: ConversationLink, startAfterActionId: string | null): Promise<boolean>;
  /** Conversation ids linked to the user, open ones only (paused ones get no delivery requests). */
  conversationsOf(user: UserRef): Promise<string[]>;
  /** Every link of the user, open or paused, newest first. */
  linksOf(user: UserRef): Promise<ConversationLink[]>;
  /** Ends the link now (Intercom answered 404): same as an `ended` lifecycle record. */
  close(conversationId: string, reason: string): Promise<void>;
  /** Kept for operators: a conversation that could not be linked and why. */
  recordUnlinked(entry: { conversationId: string; reason: string; at: string }): Promise<void>;
  /** The lifecycle record (also for a conversation not linked yet, or ended: a tombstone). */
  lifecycle(conversationId: string): Promise<LifecycleRecord | null>;
  /**
   * Compare-and-set: writes `next` only while the record is still `expected` (false otherwise), marks
   * the catch-up note when given, and renews the lifetime of every key of the conversation.
   */
  setLifecycle(
    conversationId: string,
    expected: LifecycleRecord | null,
    next: LifecycleRecord,
    catchUp?: CatchUp,
  ): Promise<boolean>;
  /** Removes the link and every key of the conversation; `record` (ended) stays as a tombstone a while. */
  end(conversationId: string, record: LifecycleRecord, reason: string): Promise<void>;
  /** Conversations linked or waiting through this Intercom contact. */
  conversationsOfContact(contactId: string): Promise<string[]>;
  /** Remembers a conversation whose contact has no `external_id`, so a merge can link it later. */
  awaitContact(entry: AwaitingLink): Promise<void>;
  awaiting(conversationId: string): Promise<AwaitingLink | null>;
  /** Moves a link to another user (a merge), keeping its notes and numbering. */
  relink(conversationId: string, user: UserRef): Promise<void>;
}
