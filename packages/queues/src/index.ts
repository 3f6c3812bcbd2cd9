export { createQueues, type QueueOptions, type QueueSet, type ThreadlineQueues } from './create-queues.js';
export {
  BullmqDeliveryScheduler,
  type DeliverySchedulerOptions,
} from './delivery-scheduler/bullmq-delivery-scheduler.js';
export { eraseJobs, type JobErasureMatch, type JobErasureReport } from './erase-jobs.js';
export {
  budgetFraction,
  defaultCallsPerWindow,
  maxCoalesceFactor,
  RedisIntercomSendGate,
} from './send-gate/redis-intercom-send-gate.js';
export {
  rateLimitWindowMs,
  type SendGateKeys,
  sendGateKeys,
  workspaceSendGateKeys,
} from './send-gate/send-gate-keys.js';
