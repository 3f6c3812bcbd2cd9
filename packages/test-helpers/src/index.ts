export { conversationNotification, intercomFixture } from './fixtures.js';
export { freePort } from './free-port.js';
export { deleteKeysWithPrefix, testRedisUrl, uniquePrefix } from './redis.js';
export { type LocalRedisCluster, startLocalRedisCluster } from './redis-cluster.js';
export { type LocalRedis, redisAnswers, startLocalRedis } from './redis-server.js';
export { intercomSignature } from './sign-webhook.js';
