export { freePort } from './free-port.js';
export { deleteKeysWithPrefix, testRedisUrl, uniquePrefix } from './redis.js';
export { type LocalRedis, redisAnswers, startLocalRedis } from './redis-server.js';
