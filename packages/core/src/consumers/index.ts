export {
  type ActivityCanvasInput,
  buildActivityCanvas,
  canvasLimits,
  canvasRefreshId,
  identityHint,
} from './activity-canvas.js';
export {
  type AnswerCanvasDependencies,
  answerCanvasRequest,
  type CanvasOutcome,
  canvasRequestSchema,
} from './answer-canvas-request.js';
export type {
  CanvasButton,
  CanvasComponent,
  CanvasDataTable,
  CanvasDivider,
  CanvasResponse,
  CanvasText,
} from './canvas-components.js';
export { type ConsumerAction, inertJson, toConsumerAction } from './consumer-action.js';
export {
  type PushBatchLimits,
  type PushBody,
  pushBody,
  pushWebhookId,
  takePushBatch,
} from './push-batch.js';
export { verifyCanvasSignature } from './verify-canvas-signature.js';
export { withProductFeed } from './with-product-feed.js';
