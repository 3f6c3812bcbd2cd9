export { canvasResponseProblems, documentedComponentTypes } from './canvas/canvas-kit-schema.js';
export {
  createIntercomSandbox,
  type IntercomSandbox,
  type IntercomSandboxOptions,
} from './create-intercom-sandbox.js';
export type { SandboxFault } from './http/fault-injector.js';
export type { IntercomErrorEntry, IntercomErrorList } from './http/intercom-error.js';
export type { RecordedRequest } from './http/sandbox-context.js';
export { type SandboxPermission, sandboxPermissions } from './http/token-permissions.js';
export { checkAgainstSpec, type SpecCheck, type SpecViolation } from './spec/spec-validator.js';
export { redactedBody } from './state/sandbox-store.js';
export type {
  SandboxAuthor,
  SandboxContact,
  SandboxConversation,
  SandboxPart,
  SandboxSource,
} from './state/sandbox-types.js';
export {
  buildConversationNotification,
  type ConversationTopic,
  type IntercomNotification,
} from './webhooks/build-conversation-notification.js';
export {
  deliverSignedWebhook,
  intercomSignature,
  type SignedWebhookDelivery,
} from './webhooks/deliver-signed-webhook.js';
