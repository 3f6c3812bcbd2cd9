export { type ConnectionRole, createRedis, isClusterUrl, type RedisClient } from './create-redis.js';
export { type ActivityLimits, RedisActivityStore } from './redis-activity-store.js';
export { RedisDeliveryStore } from './redis-delivery-store.js';
export { RedisIdentityStore } from './redis-identity-store.js';
export { RedisKeys } from './redis-keys.js';
export { RedisLinkStore } from './redis-link-store.js';
export { RedisNotificationClaims } from './redis-notification-claims.js';
export { waitUntilReady } from './wait-until-ready.js';
