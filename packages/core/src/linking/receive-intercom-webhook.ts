import { createHash } from 'node:crypto';
import { intercomNotificationSchema, linkingTopics, readConversation } from './intercom-notification.js';
import type { LinkRequest } from './link-request.js';
import { type SignatureHeaders, verifyIntercomSignature } from './verify-intercom-signature.js';

export type WebhookOutcome =
  | { kind: 'accepted'; topic: string; notificationId: string; conversationId: string }
  | { kind: 'duplicate'; topic: string; notificationId: string }
  | { kind: 'ignored'; topic: string; reason: string }
  | { kind: 'bad_signature' }
  | { kind: 'malformed'; reason: string };

/** Claims a notification id once across every API replica (`SET NX` + TTL). */
export interface NotificationClaims {
  /** True when this caller is the first to claim the id. */
  claim(notificationId: string, ttlSeconds: number): Promise<boolean>;
  extend(notificationId: string, ttlSeconds: number): Promise<void>;
  release(notificationId: string): Promise<void>;
}

export interface ReceiveWebhookDependencies {
  clientSecret: string;
  claims: NotificationClaims;
  enqueueLink(request: LinkRequest): Promise<void>;
  now(): Date;
}

/** Held while the enqueue is in flight; a crash in between lets Intercom's redelivery through again. */
const inFlightClaimSeconds = 120;
/** Intercom retries for hours at most; a week covers every redelivery. */
const settledClaimSeconds = 7 * 24 * 3600;

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
  if (!linkingTopics.has(notification.topic)) {
    return { kind: 'ignored', topic: notification.topic, reason: `topic ${notification.topic} is not used` };
  }
  const conversation = readConversation(notification.topic, notification.data.item);
  if (!conversation) {
    return { kind: 'malformed', reason: `a ${notification.topic} notification without a conversation item` };
  }
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
      conversationId: conversation.conversationId,
      conversationCreatedAt: conversation.createdAt,
      contact: conversation.contact,
      receivedAt: dependencies.now().toISOString(),
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
    conversationId: conversation.conversationId,
  };
}
