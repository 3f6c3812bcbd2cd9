export * from './access/index.js';
export type { Action, ActionType, CapturedEvent } from './actions/action.js';
export { identifiedEmail } from './actions/identified-email.js';
export * from './actions/index.js';
export * from './capture/index.js';
export * from './consumers/index.js';
export {
  type DeliverNotesDependencies,
  type DeliveryOutcome,
  deliverNotes,
} from './delivery/deliver-notes.js';
export * from './identity/index.js';
export { type ApplyLifecycleOutcome, applyLifecycleEvent } from './linking/apply-lifecycle-event.js';
export { type ContactMergeOutcome, forgetContact, relinkMergedContact } from './linking/contact-events.js';
export {
  type ConversationContact,
  type ConversationStart,
  contactTopics,
  conversationLifecycleTopics,
  type IntercomNotification,
  intercomNotificationSchema,
  linkingTopics,
  readConversation,
  subscribedTopics,
} from './linking/intercom-notification.js';
export {
  type LinkConversationDependencies,
  type LinkOutcome,
  linkConversation,
} from './linking/link-conversation.js';
export {
  type LifecycleEffect,
  type LifecycleEvent,
  type LifecycleEventKind,
  type LifecycleRecord,
  type LinkState,
  lifecycleEventOfTopic,
  nextLifecycle,
} from './linking/link-lifecycle.js';
export type { LinkRequest } from './linking/link-request.js';
export {
  type ReceiveWebhookDependencies,
  receiveIntercomWebhook,
  type WebhookOutcome,
} from './linking/receive-intercom-webhook.js';
export { type SignatureHeaders, verifyIntercomSignature } from './linking/verify-intercom-signature.js';
export { activityNotice } from './notes/activity-notice.js';
export { escapeHtml } from './notes/escape-html.js';
export { type NoteContent, type NumberedAction, noteReference, renderNote } from './notes/render-note.js';
export type { AccessKeyRecord, AccessKeyStore } from './ports/access-key-store.js';
export type {
  ActivityStore,
  AppendOptions,
  AppendResult,
  IdentityState,
  MergeOutcome,
  StoredAction,
  UserAppend,
  UserRef,
} from './ports/activity-store.js';
export type { CaptureQuota, CaptureQuotaDecision, CaptureQuotaReason } from './ports/capture-quota.js';
export type {
  CaptureKeyKind,
  CaptureReader,
  RawCaptureRequest,
  ReadCapture,
} from './ports/capture-reader.js';
export type {
  CaptureSpool,
  CopySource,
  SpoolBacklog,
  SpoolEntry,
  SpooledCopy,
} from './ports/capture-spool.js';
export type { DeliveryScheduler } from './ports/delivery-scheduler.js';
export type {
  DeliveryLock,
  DeliveryState,
  DeliveryStore,
  PendingNote,
  WrittenNote,
} from './ports/delivery-store.js';
export type { IdentityStore } from './ports/identity-store.js';
export { IntercomError, type IntercomErrorCode, type IntercomPort } from './ports/intercom-port.js';
export {
  type IntercomSendGate,
  type RateLimitObservation,
  SendGateRefusal,
  type SendPause,
  type SendPermission,
} from './ports/intercom-send-gate.js';
export type { AwaitingLink, CatchUp, ConversationLink, LinkStore } from './ports/link-store.js';
export type { NotificationClaims } from './ports/notification-claims.js';
export type { FeedEntry, ProductFeed } from './ports/product-feed.js';
export type { AccessRateLimit, RateLimitDecision, RateLimiter } from './ports/rate-limiter.js';
export type { Subscription, SubscriptionStore } from './ports/subscription-store.js';
export type { WebhookDeliverySeen, WebhookLog, WebhookLogSummary } from './ports/webhook-log.js';
export type { SlicedResults, WorkSlicer } from './ports/work-slicer.js';
export type { WorkspaceCaptureKeys } from './ports/workspace-capture-keys.js';
export type { Workspace, WorkspaceDirectory } from './ports/workspace-directory.js';
export type {
  CodeExchange,
  IntercomOAuth,
  OAuthStateStore,
  WorkspaceIdentity,
  WorkspaceInstall,
  WorkspaceRegistry,
} from './ports/workspace-registry.js';
export * from './redaction/index.js';
export * from './summaries/index.js';
export * from './workspaces/index.js';
