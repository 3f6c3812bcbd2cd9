export {
  type DeliverNotesPayload,
  deliverNotesJob,
  type LinkConversationPayload,
  linkConversationJob,
  type QueueName,
  queueNames,
  queuePrefix,
} from './job-catalog.js';
export { createQueues, type ThreadlineQueues } from './queues.js';
