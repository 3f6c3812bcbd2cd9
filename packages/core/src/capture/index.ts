export {
  type CaptureCounts,
  type CapturedBatch,
  type CapturedBatchKey,
  type CaptureEventsDependencies,
  type CaptureEventsRequest,
  type CaptureOutcome,
  type CaptureRefusalReason,
  type CaptureSettings,
  captureEvents,
  chargeRefusedRequest,
  refusalBeforeBody,
  storageRefusal,
  storeCapturedBatch,
} from './capture-events.js';
export { type QuotaRefusal, RecentRefusals } from './recent-refusals.js';
export {
  type RecordActivityDependencies,
  type RecordActivityResult,
  recordActivity,
} from './record-activity.js';
