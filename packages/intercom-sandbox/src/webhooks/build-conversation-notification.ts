import { randomUUID } from 'node:crypto';
import type { SandboxContact, SandboxConversation } from '../state/sandbox-types.js';

/** Webhook topics the sandbox can deliver. */
export type ConversationTopic =
  | 'conversation.user.created'
  | 'conversation.user.replied'
  | 'conversation.admin.closed'
  | 'conversation.admin.opened'
  | 'conversation.admin.snoozed'
  | 'conversation.admin.unsnoozed';

/** An Intercom webhook notification (`notification_event`), as delivered to an app's endpoint. */
export interface IntercomNotification {
  type: 'notification_event';
  app_id: string;
  data: { type: 'notification_event_data'; item: Record<string, unknown> };
  links: Record<string, never>;
  id: string | null;
  topic: string;
  delivery_status: string | null;
  delivery_attempts: number;
  delivered_at: number;
  first_sent_at: number;
  created_at: number;
  self: null;
}

/**
 * Builds the notification Intercom sends for a conversation topic, shaped like the fixtures in
 * `shared/fixtures/intercom/` (and Threadline's lifecycle fixtures): `contacts[]` carries only `type`, `id`,
 * `external_id`; on `created` the parts list is empty, on every other topic it holds the newest part only
 * (the user's reply, or the admin's `close`, `open`, `snoozed`, `unsnoozed` part).
 */
export function buildConversationNotification(
  topic: ConversationTopic,
  conversation: SandboxConversation,
  contact: SandboxContact,
  appId: string,
): IntercomNotification {
  const parts = conversation.conversation_parts.conversation_parts;
  const newest = parts.at(-1);
  const item = {
    type: 'conversation',
    id: conversation.id,
    created_at: conversation.created_at,
    updated_at: conversation.updated_at,
    waiting_since: conversation.waiting_since,
    snoozed_until: conversation.snoozed_until,
    source: conversation.source,
    contacts: {
      type: 'contact.list',
      contacts: [{ type: 'contact', id: contact.id, external_id: contact.external_id }],
    },
    teammates: conversation.teammates,
    title: conversation.title,
    admin_assignee_id: conversation.admin_assignee_id,
    team_assignee_id: conversation.team_assignee_id,
    open: conversation.open,
    state: conversation.state,
    read: conversation.read,
    tags: conversation.tags,
    priority: conversation.priority,
    sla_applied: conversation.sla_applied,
    statistics: conversation.statistics,
    conversation_rating: conversation.conversation_rating,
    custom_attributes: conversation.custom_attributes,
    topics: conversation.topics,
    ticket: conversation.ticket,
    linked_objects: conversation.linked_objects,
    ai_agent: conversation.ai_agent,
    ai_agent_participated: conversation.ai_agent_participated,
    conversation_parts:
      topic !== 'conversation.user.created' && newest
        ? {
            type: 'conversation_part.list',
            total_count: 1,
            conversation_parts: [newestPartForWebhook(newest)],
          }
        : { type: 'conversation_part.list', conversation_parts: [], total_count: 0 },
  };
  return envelope(topic, item, appId);
}

/** `conversation.deleted`: like every `*.deleted` topic, only identifying fields. */
export function buildDeletedConversationNotification(
  conversationId: string,
  appId: string,
): IntercomNotification {
  return envelope('conversation.deleted', { type: 'conversation', conversation_id: conversationId }, appId);
}

function envelope(topic: string, item: Record<string, unknown>, appId: string): IntercomNotification {
  const now = Math.floor(Date.now() / 1000);
  return {
    type: 'notification_event',
    app_id: appId,
    data: { type: 'notification_event_data', item },
    links: {},
    id: `notif_${randomUUID()}`,
    topic,
    delivery_status: 'pending',
    delivery_attempts: 1,
    delivered_at: 0,
    first_sent_at: now,
    created_at: now,
    self: null,
  };
}

// Webhook parts omit the API's `metadata` and `email_message_metadata` (see the replied fixture).
function newestPartForWebhook(part: SandboxConversation['conversation_parts']['conversation_parts'][number]) {
  const { metadata: _metadata, email_message_metadata: _emailMetadata, ...rest } = part;
  return rest;
}

/**
 * The `ping` notification, shaped as the public captures of it (shared research, "1.5 ping"): `id` and
 * `delivery_status` are null.
 */
export function buildPingNotification(
  appId: string,
  nowSeconds = Math.floor(Date.now() / 1000),
): IntercomNotification {
  return {
    type: 'notification_event',
    app_id: appId,
    data: {
      type: 'notification_event_data',
      item: { type: 'ping', message: 'ping from the Intercom sandbox' },
    },
    links: {},
    id: null,
    topic: 'ping',
    delivery_status: null,
    delivery_attempts: 1,
    delivered_at: 0,
    first_sent_at: nowSeconds,
    created_at: nowSeconds,
    self: null,
  };
}
