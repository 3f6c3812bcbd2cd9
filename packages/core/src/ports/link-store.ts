import type { UserRef } from './activity-store.js';

/** A conversation tied to the product user (and the session active when it was linked). */
export interface ConversationLink extends UserRef {
  conversationId: string;
  appId: string | null;
  sessionId: string | null;
  /** Unix seconds, Intercom's created_at of the conversation. */
  conversationCreatedAt: number | null;
  linkedAt: string;
  status: 'open' | 'closed';
}

export interface LinkStore {
  get(conversationId: string): Promise<ConversationLink | null>;
  /**
   * Links the conversation and sets where note delivery starts, once: a second call for the same
   * conversation changes nothing and returns false.
   */
  create(link: ConversationLink, startAfterActionId: string | null): Promise<boolean>;
  /** Conversation ids linked to the user, open ones only. */
  conversationsOf(user: UserRef): Promise<string[]>;
  close(conversationId: string, reason: string): Promise<void>;
  /** Kept for operators: a conversation that could not be linked and why. */
  recordUnlinked(entry: { conversationId: string; reason: string; at: string }): Promise<void>;
}
