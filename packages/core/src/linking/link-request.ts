import type { ConversationContact } from './intercom-notification.js';

/** What the webhook hands to the link worker: enough to link without reading the payload again. */
export interface LinkRequest {
  notificationId: string;
  topic: string;
  /** Intercom workspace the notification came from. */
  appId: string | null;
  conversationId: string;
  /** Unix seconds. */
  conversationCreatedAt: number | null;
  contact: ConversationContact | null;
  /** ISO time the webhook was received. */
  receivedAt: string;
}
