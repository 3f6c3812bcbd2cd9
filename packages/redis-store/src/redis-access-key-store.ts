import { randomBytes } from 'node:crypto';
import type { AccessKeyRecord, AccessKeyStore } from '@threadline/core';
import type { RedisClient } from './create-redis.js';
import type { RedisKeys } from './redis-keys.js';

interface StoredRecord {
  productId: string;
  name: string | null;
  keyHash: string;
  createdAt: string;
}

function decode(id: string, json: string): AccessKeyRecord {
  const stored = JSON.parse(json) as StoredRecord;
  return { id, ...stored };
}

/**
 * Access keys in one Redis hash (id → JSON with the key's SHA-256, never the key) and their last use in
 * another; both share the `{access}` hash tag, so revoking removes both atomically in Redis Cluster too.
 */
export class RedisAccessKeyStore implements AccessKeyStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  async create(record: AccessKeyRecord): Promise<void> {
    const { id, ...stored } = record;
    const isNew = await this.redis.hsetnx(this.keys.accessKeys(), id, JSON.stringify(stored));
    if (isNew !== 1) throw new Error(`an access key with id ${id} already exists`);
  }

  async get(id: string): Promise<AccessKeyRecord | null> {
    const json = await this.redis.hget(this.keys.accessKeys(), id);
    return json === null ? null : decode(id, json);
  }

  async list(): Promise<AccessKeyRecord[]> {
    const all = await this.redis.hgetall(this.keys.accessKeys());
    return Object.entries(all)
      .map(([id, json]) => decode(id, json))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  async revoke(id: string): Promise<boolean> {
    const results = await this.redis
      .multi()
      .hdel(this.keys.accessKeys(), id)
      .hdel(this.keys.accessKeysLastUsed(), id)
      .exec();
    const [error, removed] = results?.[0] ?? [null, 0];
    if (error) throw error;
    return Number(removed) === 1;
  }

  async recordUse(id: string, at: Date): Promise<void> {
    await this.redis.hset(this.keys.accessKeysLastUsed(), id, at.toISOString());
  }

  async lastUses(): Promise<Record<string, string>> {
    return this.redis.hgetall(this.keys.accessKeysLastUsed());
  }

  /**
   * The secret environment key ids are an HMAC under. Made at random by whichever process asks first
   * (`SET NX`), so every API replica and the CLI name a key alike.
   */
  async keyIdSecret(): Promise<string> {
    const key = this.keys.accessKeyIdSecret();
    await this.redis.set(key, randomBytes(32).toString('base64url'), 'NX');
    const secret = await this.redis.get(key);
    if (!secret) throw new Error(`${key} vanished right after it was set`);
    return secret;
  }

  /** Drops the last-use records of these ids (the ids environment keys had before they were keyed). */
  async forgetUses(ids: string[]): Promise<void> {
    if (ids.length > 0) await this.redis.hdel(this.keys.accessKeysLastUsed(), ...ids);
  }
}
