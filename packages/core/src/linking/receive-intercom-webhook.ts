import { createHash } from 'node:crypto';
import type { NotificationClaims } from '../ports/notification-claims.js';
import type { ConversationStart } from './intercom-notification.js';
import {
  contactTopics,
  intercomNotificationSchema,
  readContact,
  readConversation,
  readDeletedConversation,
  subscribedTopics,
} from './intercom-notification.js';
import type { LinkRequest } from './link-request.js';
import { type SignatureHeaders, verifyIntercomSignature } from './verify-intercom-signature.js';

export type WebhookOutcome =
  /** `conversationId` is empty for the contact topics. */
  | {
      kind: 'accepted';
      topic: string;
      notificationId: string;
      conversationId: string;
      /** The product of the workspace the notification came from. */
      productId: string;
    }
  | { kind: 'duplicate'; topic: string; notificationId: string }
  | { kind: 'ignored'; topic: string; reason: string }
  /** Signed with the app's secret but of an `app_id` no workspace of this deployment has. */
  | { kind: 'foreign_app'; topic: string; reason: string }
  /** Older than the dedupe claim can remember (or without `created_at`): possibly a replay. */
  | { kind: 'stale'; topic: string; reason: string }
  | { kind: 'bad_signature' }
  | { kind: 'malformed'; reason: string };

export interface ReceiveWebhookDependencies {
  clientSecret: string;
  /**
   * The product of the workspace with this `app_id` (null: the notification has none), or null when
   * no workspace of the deployment has it: the notification is then ignored.
   */
  productOfApp(appId: string | null): Promise<string | null>;
  claims: NotificationClaims;
  enqueueLink(request: LinkRequest): Promise<void>;
  now(): Date;
}

/** Held while the enqueue is in flight; a crash in between lets Intercom's redelivery through again. */
const inFlightClaimSeconds = 120;
/** Intercom retries for hours at most; a week covers every redelivery. */
const settledClaimSeconds = 7 * 24 * 3600;
/**
 * A notification older than this is refused, so a captured delivery cannot be replayed once its claim
 * has expired. A day shorter than the claim, so a clock ahead of Intercom's cannot open a gap.
 */
export const maxNotificationAgeSeconds = settledClaimSeconds - 24 * 3600;

function staleReason(createdAt: number | null | undefined, now: Date): string | null {
  if (createdAt === null || createdAt === undefined) return 'the notification has no created_at';
  const ageSeconds = now.getTime() / 1000 - createdAt;
  if (ageSeconds > maxNotificationAgeSeconds) {
    return `the notification was created ${Math.floor(ageSeconds / 86400)} days ago, beyond the ${maxNotificationAgeSeconds / 86400}-day replay window`;
  }
  return null;
}

/**
 * The webhook use case: verify the raw bytes, then parse, dedupe and enqueue. It makes no Intercom
 * API call, so the request is acknowledged in milliseconds.
 */
export async function receiveIntercomWebhook(
  request: { rawBody: Buffer; signatures: SignatureHeaders },
  dependencies: ReceiveWebhookDependencies,
): Promise<WebhookOutcome> {
  if (!verifyIntercomSignature(request.rawBody, request.signatures, dependencies.clientSecret)) {
    return { kind: 'bad_signature' };
  }
  let json: unknown;
  try {
    json = JSON.parse(request.rawBody.toString('utf8'));
  } catch {
    return { kind: 'malformed', reason: 'the body is not JSON' };
  }
  const parsed = intercomNotificationSchema.safeParse(json);
  if (!parsed.success) {
    return { kind: 'malformed', reason: 'the body is not an Intercom notification_event' };
  }
  const notification = parsed.data;
  const productId = await dependencies.productOfApp(notification.app_id ?? null);
  if (productId === null) {
    return {
      kind: 'foreign_app',
      topic: notification.topic,
      reason: `app_id ${notification.app_id ?? '(none)'} is not a workspace of this deployment (INTERCOM_APP_ID or an installed one)`,
    };
  }
  if (!subscribedTopics.has(notification.topic)) {
    return { kind: 'ignored', topic: notification.topic, reason: `topic ${notification.topic} is not used` };
  }
  const subject = readSubject(notification.topic, notification.data.item);
  if (!subject) {
    const expected = contactTopics.has(notification.topic) ? 'contact' : 'conversation';
    return { kind: 'malformed', reason: `a ${notification.topic} notification without a ${expected} item` };
  }
  const stale = staleReason(notification.created_at, dependencies.now());
  if (stale) return { kind: 'stale', topic: notification.topic, reason: stale };
  const notificationId =
    notification.id ?? `body-${createHash('sha256').update(request.rawBody).digest('hex').slice(0, 32)}`;
  if (!(await dependencies.claims.claim(notificationId, inFlightClaimSeconds))) {
    return { kind: 'duplicate', topic: notification.topic, notificationId };
  }
  try {
    await dependencies.enqueueLink({
      notificationId,
      topic: notification.topic,
      appId: notification.app_id ?? null,
      productId,
      conversationId: subject.conversationId,
      conversationCreatedAt: subject.createdAt,
      contact: subject.contact,
      receivedAt: dependencies.now().toISOString(),
      notificationAt: notification.created_at ?? null,
      ...(subject.mergedFrom.length > 0 ? { mergedFrom: subject.mergedFrom } : {}),
    });
  } catch (error) {
    await dependencies.claims.release(notificationId);
    throw error;
  }
  await dependencies.claims.extend(notificationId, settledClaimSeconds);
  return {
    kind: 'accepted',
    topic: notification.topic,
    notificationId,
    conversationId: subject.conversationId,
    productId,
  };
}

/** What the notification is about, per the shape of its topic's item. */
function readSubject(topic: string, item: unknown): (ConversationStart & { mergedFrom: string[] }) | null {
  if (contactTopics.has(topic)) {
    const contact = readContact(item);
    return contact && { conversationId: '', createdAt: null, ...contact };
  }
  if (topic === 'conversation.deleted') {
    const conversationId = readDeletedConversation(item);
    return conversationId ? { conversationId, createdAt: null, contact: null, mergedFrom: [] } : null;
  }
  const conversation = readConversation(topic, item);
  return conversation && { ...conversation, mergedFrom: [] };
}
