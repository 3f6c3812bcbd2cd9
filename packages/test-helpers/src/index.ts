export {
  type FakeAnswer,
  type FakePostHog,
  posthogLikeAnswer,
  type ReceivedRequest,
  startFakePostHog,
} from './fake-posthog.js';
export {
  conversationNotification,
  intercomFixture,
  type LifecycleTopic,
  lifecycleNotification,
} from './fixtures.js';
export { freePort } from './free-port.js';
export { callLiveActivityTool, type LiveActivityToolResult } from './live-activity-tool.js';
export {
  type ChatAnswer,
  type OpenAiCompatibleServer,
  type RecordedChatRequest,
  startOpenAiCompatibleServer,
} from './openai-compatible-server.js';
export { deleteKeysWithPrefix, testRedisUrl, uniquePrefix } from './redis.js';
export { type LocalRedisCluster, startLocalRedisCluster } from './redis-cluster.js';
export { type LocalRedis, redisAnswers, startLocalRedis } from './redis-server.js';
export { intercomSignature } from './sign-webhook.js';
