import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  accessKeyIdOf,
  bearerKeyOf,
  environmentAccessKeys,
  environmentKeyId,
  generateAccessKey,
  hashAccessKey,
  isSameKeyHash,
  legacyEnvironmentKeyId,
} from './access-key.js';
import { readLiveActivity } from './read-live-activity.js';

describe('access keys', () => {
  it('hashes with SHA-256, hex', () => {
    const expected = createHash('sha256').update('mcp_shop_key_0123456789').digest('hex');
    expect(hashAccessKey('mcp_shop_key_0123456789')).toBe(expected);
  });

  it('makes keys that carry their id and 256 random bits, different each time', () => {
    const first = generateAccessKey();
    const second = generateAccessKey();
    expect(first.key).toMatch(/^tlk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(accessKeyIdOf(first.key)).toBe(first.id);
    expect(first.key).not.toBe(second.key);
    expect(first.id).not.toBe(second.id);
  });

  it('finds no id in other strings', () => {
    for (const key of ['mcp_shop_key_0123456789', `tlk_0123456789ab_${'A'.repeat(42)}`, 'tlk__x', '']) {
      expect(accessKeyIdOf(key)).toBeNull();
    }
  });

  it('compares hashes, and never matches malformed ones', () => {
    const hash = hashAccessKey('a');
    expect(isSameKeyHash(hash, hashAccessKey('a'))).toBe(true);
    expect(isSameKeyHash(hash, hashAccessKey('b'))).toBe(false);
    expect(isSameKeyHash(hash, hash.slice(0, 32))).toBe(false);
    expect(isSameKeyHash('', '')).toBe(false);
  });

  it('names environment keys by an HMAC under the deployment secret, never by the key or its plain hash', () => {
    const secret = 'k'.repeat(43);
    const key = 'mcp_shop_key_0123456789';
    const [named] = environmentAccessKeys([{ key, productId: 'shop' }], secret);
    // Computed here independently with node:crypto.
    const expected = createHmac('sha256', secret).update(`threadline access key id\0${key}`).digest('hex');
    expect(named).toEqual({
      id: `env-${expected.slice(0, 12)}`,
      productId: 'shop',
      keyHash: hashAccessKey(key),
    });
    // Not derivable from the key alone: the plain hash (the old id) and another secret give other ids.
    expect(named?.id).not.toBe(legacyEnvironmentKeyId(key));
    expect(legacyEnvironmentKeyId(key)).toBe(`env-${hashAccessKey(key).slice(0, 12)}`);
    expect(environmentKeyId(key, 'j'.repeat(43))).not.toBe(named?.id);
    expect(environmentKeyId(key, secret)).toBe(named?.id);
    expect(() => environmentKeyId(key, 'short')).toThrow(/at least 32/);
  });

  it('reads the key of a Bearer header only', () => {
    expect(bearerKeyOf('Bearer abc')).toBe('abc');
    expect(bearerKeyOf('bearer  abc ')).toBe('abc');
    for (const header of [undefined, '', 'Bearer', 'Bearer ', 'Basic abc', 'abc', 'Bearer a b']) {
      expect(bearerKeyOf(header)).toBeNull();
    }
  });
});

describe('readLiveActivity', () => {
  const grant = { keyId: 'env-1', productId: 'shop' };
  const reads: { productId: string; userId: string; limit: number }[] = [];
  const deps = {
    activity: {
      // A store that has nothing: these cases are about what is read, not what comes back.
      async listRecent(user: { productId: string; userId: string }, limit: number) {
        reads.push({ ...user, limit });
        return [];
      },
    },
  };

  it('refuses another product before reading, and bad limits', async () => {
    reads.length = 0;
    expect(await readLiveActivity(grant, { productId: 'crm', userId: 'u1' }, deps)).toEqual({
      kind: 'forbidden',
      keyProductId: 'shop',
      productId: 'crm',
    });
    for (const limit of [0, 201, 1.5, Number.NaN]) {
      expect((await readLiveActivity(grant, { productId: 'shop', userId: 'u1', limit }, deps)).kind).toBe(
        'invalid',
      );
    }
    expect(reads).toEqual([]);
  });

  it('reads a window past the limit (50 by default) to answer the newest by event time', async () => {
    reads.length = 0;
    await readLiveActivity(grant, { productId: 'shop', userId: 'u1' }, deps);
    await readLiveActivity(grant, { productId: 'shop', userId: 'u1', limit: 200 }, deps);
    expect(reads.map((read) => read.limit)).toEqual([150, 300]);
  });

  it('answers the newest `limit` by event time, oldest first, whatever order they arrived in', async () => {
    const arrived = [
      { id: '1-0', type: 'click', description: 'Step 5', at: '2026-12-02T10:00:05.000Z' },
      { id: '2-0', type: 'click', description: 'Step 6', at: '2026-12-02T10:00:06.000Z' },
      { id: '3-0', type: 'click', description: 'Step 3', at: '2026-12-02T10:00:03.000Z' },
      { id: '4-0', type: 'click', description: 'Step 4', at: '2026-12-02T10:00:04.000Z' },
      { id: '5-0', type: 'click', description: 'Step 1', at: '2026-12-02T10:00:01.000Z' },
      { id: '6-0', type: 'click', description: 'Step 2', at: '2026-12-02T10:00:02.000Z' },
    ] as const;
    const store = {
      activity: { listRecent: async (_user: unknown, limit: number) => arrived.slice(-limit) },
    };
    const read = async (limit: number) => {
      const outcome = await readLiveActivity(grant, { productId: 'shop', userId: 'u1', limit }, store);
      return outcome.kind === 'ok' ? outcome.activity.actions.map((action) => action.description) : [];
    };
    expect(await read(6)).toEqual(['Step 1', 'Step 2', 'Step 3', 'Step 4', 'Step 5', 'Step 6']);
    expect(await read(2)).toEqual(['Step 5', 'Step 6']);
  });
});
