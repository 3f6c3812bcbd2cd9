export { type ConnectionRole, createRedis, isClusterUrl, type RedisClient } from './create-redis.js';
export { createUserStores, type UserStoreSettings } from './create-user-stores.js';
export { type ErasureReport, eraseConversations, eraseUser } from './erase-user.js';
export { defineLuaScript, LuaScript, type LuaScriptRunner } from './lua-script.js';
export { RedisAccessKeyStore } from './redis-access-key-store.js';
export { type ActivityLimits, RedisActivityStore } from './redis-activity-store.js';
export { type CaptureQuotaLimits, RedisCaptureQuota } from './redis-capture-quota.js';
export { RedisDeliveryStore } from './redis-delivery-store.js';
export { RedisIdentityStore } from './redis-identity-store.js';
export { RedisKeys } from './redis-keys.js';
export { RedisLinkStore } from './redis-link-store.js';
export {
  type RedisMemoryUsage,
  RedisMemoryWatch,
  type RedisMemoryWatchOptions,
  readRedisMemory,
} from './redis-memory-watch.js';
export { RedisNotificationClaims } from './redis-notification-claims.js';
export { RedisOAuthStates } from './redis-oauth-states.js';
export { type ProductFeedLimits, RedisProductFeed } from './redis-product-feed.js';
export { RedisRateLimiter } from './redis-rate-limiter.js';
export { RedisStreamLeases } from './redis-stream-leases.js';
export { RedisSubscriptionStore } from './redis-subscription-store.js';
export { RedisSummaryStore } from './redis-summary-store.js';
export { RedisWebhookLog } from './redis-webhook-log.js';
export {
  productIdOfAppId,
  RedisWorkspaceStore,
  type RekeyReport,
  type WorkspaceDetails,
  type WorkspaceRemoval,
} from './redis-workspace-store.js';
export { globLiteral, scanKeys } from './scan-keys.js';
export {
  encryptionKeyId,
  isEncryptionKey,
  TokenCipher,
  TokenCipherError,
  type TokenCipherErrorCode,
} from './token-cipher.js';
export { waitUntilReady } from './wait-until-ready.js';
