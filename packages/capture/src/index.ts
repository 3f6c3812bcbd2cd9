export type { CaptureFailure } from './capture-failure.js';
export { type CaptureKeyKind, type CaptureKeys, captureKeyKind, presentedKeyOf } from './capture-key.js';
export { type CaptureLimits, defaultCaptureLimits } from './capture-limits.js';
export {
  type CopyRecord,
  type CopyRecorderOptions,
  createCopyRecorder,
} from './copy/record-spooled-copy.js';
export {
  type SpoolConsumer,
  type SpoolConsumerOptions,
  type SpoolEntryOutcome,
  startSpoolConsumer,
} from './copy/spool-consumer.js';
export { decideResponse } from './decide-response.js';
export { type CaptureRequest, decodeCaptureBody, maxJsonDepth } from './decode-capture-body.js';
export { maxDistinctIdChars } from './distinct-id.js';
export { computeEventTime, type EventTimeInput, maxFutureDriftMs } from './event-time.js';
export {
  type ExtractContext,
  type ExtractedBatch,
  extractEvents,
  identityVerifier,
} from './extract-events.js';
export { extractWebhookEvent } from './extract-webhook-event.js';
export { flagsResponse } from './flags-response.js';
export {
  type CaptureReaderPool,
  type CaptureReaderPoolOptions,
  startCaptureReader,
} from './pooled-capture-reader.js';
export { type CaptureReaderSettings, readCaptureRequest } from './read-capture-request.js';
export { remoteConfigResponse } from './remote-config-response.js';
export { keptPosthogProperties } from './sanitize-properties.js';
export { sentAtFromQuery } from './sent-at-from-query.js';
export {
  type AmplitudeRefusal,
  amplitudeMaxBodyBytes,
  amplitudeMaxEvents,
  extractAmplitudeEvents,
} from './sources/amplitude-events.js';
export {
  extractSegmentEvents,
  type SegmentRequestContext,
  type SegmentType,
  segmentCallOf,
  segmentMaxBatchBytes,
  segmentMaxEventBytes,
} from './sources/segment-events.js';
export type { SourceBatch } from './sources/source-batch.js';
export { maxEventNameChars } from './to-captured-event.js';
