export {
  type CaptureCounts,
  type CaptureEventsDependencies,
  type CaptureEventsRequest,
  type CaptureOutcome,
  type CaptureRefusalReason,
  type CaptureSettings,
  captureEvents,
  refusalBeforeBody,
  storageRefusal,
} from './capture-events.js';
export { type QuotaRefusal, RecentRefusals } from './recent-refusals.js';
export {
  type RecordActivityDependencies,
  type RecordActivityResult,
  recordActivity,
} from './record-activity.js';
