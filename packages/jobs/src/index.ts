export { eraseJobs, type JobErasureMatch, type JobErasureReport } from './erase-jobs.js';
export {
  type DeliverNotesPayload,
  deliverNotesJob,
  type LinkConversationPayload,
  linkConversationJob,
  type NoteShardQueueName,
  type PushActionsPayload,
  pushActionsJob,
  pushQueuePrefix,
  type QueueName,
  queueNames,
  queuePrefix,
} from './job-catalog.js';
export { isQueueName, noteQueueName, noteQueueNames, noteShardOf, queueNamesFor } from './note-shards.js';
export {
  budgetFraction,
  defaultCallsPerWindow,
  maxCoalesceFactor,
  NotesSendGate,
  type RateLimitObservation,
  rateLimitWindowMs,
  type SendGateKeys,
  type SendPause,
  type SendPermission,
  sendGateKeys,
} from './notes-send-gate.js';
export { createQueues, type QueueOptions, type QueueSet, type ThreadlineQueues } from './queues.js';
export {
  type SummarizeConversationPayload,
  summariesQueueName,
  summarizeConversationJob,
  summaryRequestDelayMs,
} from './summary-job.js';
