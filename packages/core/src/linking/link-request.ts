import type { ConversationContact } from './intercom-notification.js';

/** What the webhook hands to the link worker: enough to link without reading the payload again. */
export interface LinkRequest {
  notificationId: string;
  topic: string;
  /** Intercom workspace the notification came from. */
  appId: string | null;
  /** The product of that workspace, from its `app_id` (absent on jobs from before workspaces: PRODUCT_ID). */
  productId?: string | undefined;
  /** Empty for the contact topics (`contact.merged`, `contact.deleted`): they name a contact. */
  conversationId: string;
  /** Unix seconds. */
  conversationCreatedAt: number | null;
  contact: ConversationContact | null;
  /** ISO time the webhook was received. */
  receivedAt: string;
  /** Unix seconds, the notification's own `created_at`: orders lifecycle events (absent on old jobs). */
  notificationAt?: number | null | undefined;
  /** `contact.merged`: contacts merged into `contact`, from the item's `merge_history` when it has one. */
  mergedFrom?: string[] | undefined;
}
