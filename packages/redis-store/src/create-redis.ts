import { Cluster, Redis, type RedisOptions } from 'ioredis';

export type RedisClient = Redis | Cluster;

/**
 * `producer`: fails fast while Redis is unreachable (an HTTP request must not hang).
 * `worker`: waits for Redis to come back (BullMQ's requirement for blocking connections).
 */
export type ConnectionRole = 'producer' | 'worker';

function clusterNodes(url: string): { host: string; port: number }[] | null {
  const list = url.startsWith('redis+cluster://') ? url.slice('redis+cluster://'.length) : url;
  if (!url.startsWith('redis+cluster://') && !/^[\w.-]+:\d+(,[\w.-]+:\d+)*$/.test(url.replace(/\s/g, '')))
    return null;
  return list
    .split(',')
    .map((node) => node.trim())
    .filter(Boolean)
    .map((node) => {
      const [host, port] = node.replace(/\/.*$/, '').split(':');
      return { host: host ?? '127.0.0.1', port: Number(port ?? 6379) };
    });
}

function roleOptions(role: ConnectionRole): RedisOptions {
  return role === 'producer'
    ? { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 5000 }
    : { maxRetriesPerRequest: null, enableReadyCheck: false };
}

/** The one place Redis clients are made. Every client gets an error listener (`onError`). */
export function createRedis(url: string, role: ConnectionRole, onError: (error: Error) => void): RedisClient {
  const nodes = clusterNodes(url);
  const options = roleOptions(role);
  const client = nodes
    ? new Cluster(nodes, { redisOptions: options, enableOfflineQueue: options.enableOfflineQueue ?? true })
    : new Redis(url, options);
  client.on('error', onError);
  return client;
}

/** Whether the URL names a Redis Cluster. */
export function isClusterUrl(url: string): boolean {
  return clusterNodes(url) !== null;
}
