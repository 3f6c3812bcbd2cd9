import { authenticateAccess, defaultAccessRateLimit, environmentAccessKeys } from '@threadline/core';
import { RedisAccessKeyStore, RedisRateLimiter } from '@threadline/redis-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliHarness, createHarness } from '../../test/cli-harness.js';
import type { CreatedKey, KeyListing } from './keys.js';

const envKey = 'mcp_env_key_0123456789';
let harness: CliHarness;

/** What the API does with a bearer key: the same use case over the same Redis. */
function authenticate(key: string) {
  return authenticateAccess(`Bearer ${key}`, {
    environmentKeys: environmentAccessKeys([{ key: envKey, productId: 'shop' }]),
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
      id: environmentAccessKeys([{ key: envKey, productId: 'shop' }])[0]?.id,
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

    const envId = environmentAccessKeys([{ key: envKey, productId: 'shop' }])[0]?.id ?? '';
    const env = await harness.run(['keys', 'revoke', envId], { MCP_API_KEYS: `${envKey}:shop` });
    expect(env.code).toBe(1);
    expect(env.stderr).toContain('comes from MCP_API_KEYS');

    const bad = await harness.run(['keys', 'create', 'shop:{x}']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('is not valid');
  });
});
