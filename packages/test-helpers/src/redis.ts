import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Provided by global-setup.ts. */
    redisUrl: string;
  }
}

/** The Redis every test of this run talks to (see global-setup.ts). */
export function testRedisUrl(): string {
  return inject('redisUrl');
}

/** A key prefix no other test uses, so tests share one Redis without seeing each other's keys. */
export function uniquePrefix(label = 'test'): string {
  return `tl-${label}-${randomBytes(4).toString('hex')}`;
}

/** Deletes every key under `prefix` (keys are laid out as `<prefix>:…` or `{<prefix>…}`). */
export async function deleteKeysWithPrefix(url: string, prefix: string): Promise<void> {
  const client = new Redis(url, { lazyConnect: true });
  await client.connect();
  try {
    for (const pattern of [`${prefix}:*`, `{${prefix}*`, `${prefix}{*`]) {
      let cursor = '0';
      do {
        const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
        cursor = next;
        if (keys.length > 0) await client.del(...keys);
      } while (cursor !== '0');
    }
  } finally {
    client.disconnect();
  }
}
