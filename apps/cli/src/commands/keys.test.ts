import {
  authenticateAccess,
  defaultAccessRateLimit,
  environmentAccessKeys,
  hashAccessKey,
  legacyEnvironmentKeyId,
} from '@threadline/core';
import { RedisAccessKeyStore, RedisRateLimiter } from '@threadline/redis-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliHarness, createHarness } from '../../test/cli-harness.js';
import type { CreatedKey, KeyListing } from './keys.js';

const envKey = 'mcp_env_key_0123456789';
let harness: CliHarness;

/** What the API does with a bearer key: the same use case over the same Redis. */
/** The environment keys as the API names them, with the deployment's key-id secret from Redis. */
async function environmentKeys() {
  const secret = await new RedisAccessKeyStore(harness.redis, harness.keys).keyIdSecret();
  return environmentAccessKeys([{ key: envKey, productId: 'shop' }], secret);
}

async function authenticate(key: string) {
  return authenticateAccess(`Bearer ${key}`, {
    environmentKeys: await environmentKeys(),
    keys: new RedisAccessKeyStore(harness.redis, harness.keys),
    rateLimiter: new RedisRateLimiter(harness.redis, harness.keys),
    rateLimit: defaultAccessRateLimit,
    now: () => new Date(),
  });
}

async function createJson(argv: string[]): Promise<CreatedKey> {
  const result = await harness.run(['keys', 'create', ...argv, '--json']);
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as CreatedKey;
}

async function list(argv: string[] = []): Promise<KeyListing[]> {
  const result = await harness.run(['keys', 'list', ...argv, '--json'], { MCP_API_KEYS: `${envKey}:shop` });
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as KeyListing[];
}

beforeAll(async () => {
  harness = await createHarness('cli-keys');
});
afterAll(async () => {
  await harness.close();
});

describe('threadline keys', () => {
  it('creates a key for one product, prints it once, and stores only its SHA-256', async () => {
    const result = await harness.run(['keys', 'create', 'shop', '--name', 'fin']);
    expect(result.code).toBe(0);
    const key = /^ {2}(tlk_\S+)$/m.exec(result.stdout)?.[1] ?? '';
    expect(key).toMatch(/^tlk_[0-9a-f]{12}_/);
    expect(result.stdout).toMatch(/^Created key [0-9a-f]{12} for product shop \(fin\)\./);
    expect(result.stdout).toContain('shown only this once');
    const stored = JSON.stringify(await harness.redis.hgetall(harness.keys.accessKeys()));
    expect(stored).not.toContain(key);
    expect(stored).not.toContain(key.slice(17));

    expect(await authenticate(key)).toEqual({
      kind: 'granted',
      grant: { keyId: key.slice(4, 16), productId: 'shop' },
    });
  });

  it('lists keys with id, product, name, creation and last use, never the key', async () => {
    const created = await createJson(['crm']);
    await authenticate(created.key);
    const listed = await list();
    const crm = listed.find((key) => key.id === created.id);
    expect(crm).toMatchObject({ productId: 'crm', name: null, source: 'cli', createdAt: created.createdAt });
    expect(crm?.lastUsedAt).toMatch(/^\d{4}-/);
    expect(listed.find((key) => key.source === 'env')).toEqual({
      id: (await environmentKeys())[0]?.id,
      productId: 'shop',
      name: 'MCP_API_KEYS',
      source: 'env',
      createdAt: null,
      lastUsedAt: null,
    });
    expect((await list(['--product', 'crm'])).map((key) => key.id)).toEqual([created.id]);

    const text = await harness.run(['keys', 'list'], { MCP_API_KEYS: `${envKey}:shop` });
    expect(text.stdout).toMatch(/id\s+product\s+name\s+created\s+last used/);
    expect(text.stdout).toMatch(new RegExp(`${created.id}\\s+crm\\s+-\\s+\\S+\\s+\\d{4}-`));
    expect(text.stdout).not.toContain(created.key);
    expect(text.stdout).not.toContain(envKey);
  });

  it('revokes a key: the API refuses it from then on', async () => {
    const created = await createJson(['shop', '--name', 'old']);
    expect((await authenticate(created.key)).kind).toBe('granted');
    const result = await harness.run(['keys', 'revoke', created.id]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`Revoked key ${created.id} (product shop). Requests with it now get 401.\n`);
    expect(await authenticate(created.key)).toEqual({ kind: 'unknown_key' });
    expect((await list()).some((key) => key.id === created.id)).toBe(false);
  });

  it('refuses to revoke an unknown id or an environment key, and a bad product id', async () => {
    const unknown = await harness.run(['keys', 'revoke', '000000000000']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no key "000000000000"');

    const envId = (await environmentKeys())[0]?.id ?? '';
    const env = await harness.run(['keys', 'revoke', envId], { MCP_API_KEYS: `${envKey}:shop` });
    expect(env.code).toBe(1);
    expect(env.stderr).toContain('comes from MCP_API_KEYS');

    const bad = await harness.run(['keys', 'create', 'shop:{x}']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('is not valid');
  });
});

describe('key ids', () => {
  it('an environment key id is keyed by the deployment secret, not the plain hash of the key', async () => {
    const listed = await list();
    const id = listed.find((key) => key.source === 'env')?.id ?? '';
    expect(id).toMatch(/^env-[0-9a-f]{12}$/);
    expect(id).not.toBe(legacyEnvironmentKeyId(envKey));
    expect(hashAccessKey(envKey)).not.toContain(id.slice('env-'.length));
    // Every process names it alike: the secret is made once, in Redis.
    expect((await list()).find((key) => key.source === 'env')?.id).toBe(id);
    expect(await harness.redis.get(harness.keys.accessKeyIdSecret())).toMatch(/^[\w-]{43}$/);
  });

  it('keys created before keep working: a record stored as the old version stored it is accepted', async () => {
    const key = `tlk_abcdef012345_${'A'.repeat(43)}`;
    await harness.redis.hset(
      harness.keys.accessKeys(),
      'abcdef012345',
      JSON.stringify({
        productId: 'shop',
        name: 'from v0',
        keyHash: hashAccessKey(key),
        createdAt: '2026-01-01T00:00:00.000Z',
      }),
    );
    expect(await authenticate(key)).toMatchObject({
      kind: 'granted',
      grant: { keyId: 'abcdef012345', productId: 'shop' },
    });
    // And an environment key still authenticates, under its new id.
    const granted = await authenticate(envKey);
    expect(granted).toMatchObject({ kind: 'granted', grant: { keyId: (await environmentKeys())[0]?.id } });
  });
});
