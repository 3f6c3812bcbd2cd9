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
export { jobIdPart } from './job-id.js';
export { isQueueName, noteQueueName, noteQueueNames, noteShardOf, queueNamesFor } from './note-shards.js';
export {
  type SummarizeConversationPayload,
  summariesQueueName,
  summarizeConversationJob,
  summaryRequestDelayMs,
} from './summary-job.js';
