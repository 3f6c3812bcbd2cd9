import { randomBytes } from 'node:crypto';
import { RedisAccessKeyStore, RedisWorkspaceStore, TokenCipher } from '@threadline/redis-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliHarness, createHarness } from '../../test/cli-harness.js';
import type { WorkspaceListing } from './workspaces.js';

const oldKey = randomBytes(32).toString('base64');
const newKey = randomBytes(32).toString('base64');
const tokens = { one: 'tok-one-0123456789-secret', two: 'tok-two-0123456789-secret' };
let harness: CliHarness;

beforeAll(async () => {
  harness = await createHarness('cli-workspaces');
  const store = new RedisWorkspaceStore(harness.redis, harness.keys, new TokenCipher([oldKey]));
  await store.save(
    { appId: 'appone', adminId: '11', apiBaseUrl: 'https://api.eu.intercom.io', accessToken: tokens.one },
    1000,
  );
  await store.save(
    { appId: 'apptwo', adminId: '22', apiBaseUrl: 'https://api.intercom.io', accessToken: tokens.two },
    2000,
  );
  await store.addCaptureKey('intercom-appone', 'tlc_capture_one');
  await new RedisAccessKeyStore(harness.redis, harness.keys).create({
    id: 'aaaaaaaaaaaa',
    productId: 'intercom-appone',
    name: 'oauth install',
    keyHash: 'ab'.repeat(32),
    createdAt: new Date(1000).toISOString(),
  });
  await harness.redis.xadd(harness.keys.actions('intercom-appone', 'user-1'), '*', 't', 'click');
});
afterAll(async () => {
  await harness.close();
});

const withKeys = (...keys: string[]) => ({ THREADLINE_ENCRYPTION_KEY: keys.join(',') });

function expectNoToken(output: string): void {
  for (const token of Object.values(tokens)) expect(output).not.toContain(token);
}

describe('threadline workspaces', () => {
  it('lists installed workspaces and the environment one, never a token', async () => {
    const result = await harness.run(['workspaces', 'list'], {
      INTERCOM_ACCESS_TOKEN: 'env-token-0123456789',
      INTERCOM_CLIENT_SECRET: 'x',
      PRODUCT_ID: 'shop',
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\s*product\s+app id\s+admin\s+source/);
    expect(result.stdout).toMatch(/shop\s+\(from \/me\)\s+\(from \/me\)\s+environment/);
    expect(result.stdout).toMatch(/intercom-appone\s+appone\s+11\s+oauth\s+1970-01-01T00:00:01.000Z\s+never/);
    expect(result.stdout).not.toContain('env-token-0123456789');
    expectNoToken(result.stdout);
    const json = await harness.run(['workspaces', 'list', '--json']);
    const listed = JSON.parse(json.stdout) as WorkspaceListing[];
    expect(listed.map((workspace) => workspace.productId)).toEqual(['intercom-appone', 'intercom-apptwo']);
    expectNoToken(json.stdout);
  });

  it('shows one workspace: region URL, which key encrypts its token, its keys', async () => {
    const result = await harness.run(['workspaces', 'show', 'intercom-appone']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('API base URL  https://api.eu.intercom.io');
    expect(result.stdout).toContain(
      `token         encrypted with key ${new TokenCipher([oldKey]).currentKeyId}`,
    );
    expect(result.stdout).toContain('capture keys  1');
    expect(result.stdout).toContain('MCP keys      aaaaaaaaaaaa');
    expectNoToken(result.stdout);
    const missing = await harness.run(['workspaces', 'show', 'nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no installed workspace "nope"');
  });

  it('rekeys to the first key, after which the old key can go', async () => {
    const withoutKey = await harness.run(['workspaces', 'rekey']);
    expect(withoutKey.code).toBe(1);
    expect(withoutKey.stderr).toContain('THREADLINE_ENCRYPTION_KEY is not set');

    const result = await harness.run(['workspaces', 'rekey'], withKeys(newKey, oldKey));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Re-encrypted 2 token(s) with the first key; 0 already used it.');
    expectNoToken(result.stdout);
    const onlyNew = new RedisWorkspaceStore(harness.redis, harness.keys, new TokenCipher([newKey]));
    expect(await onlyNew.accessToken('intercom-appone')).toBe(tokens.one);
    expect(await onlyNew.accessToken('intercom-apptwo')).toBe(tokens.two);

    const wrong = await harness.run(['workspaces', 'rekey'], withKeys(randomBytes(32).toString('base64')));
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toContain(
      'Not readable with any listed key (reinstall these): intercom-appone, intercom-apptwo.',
    );
  });

  it('removes only with --yes, erasing token, keys and activity, and never the environment workspace', async () => {
    const unconfirmed = await harness.run(['workspaces', 'remove', 'intercom-appone']);
    expect(unconfirmed.code).toBe(1);
    expect(unconfirmed.stderr).toContain('run again with --yes');
    const store = new RedisWorkspaceStore(harness.redis, harness.keys, new TokenCipher([newKey]));
    expect(await store.byProduct('intercom-appone')).not.toBeNull();

    const result = await harness.run(['workspaces', 'remove', 'intercom-appone', '--yes']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'Removed workspace intercom-appone: its token, 1 MCP key(s), 1 capture key(s)',
    );
    expect(await store.byProduct('intercom-appone')).toBeNull();
    expect(await store.accessToken('intercom-appone')).toBeNull();
    expect(await harness.redis.exists(harness.keys.actions('intercom-appone', 'user-1'))).toBe(0);
    expect(await store.byProduct('intercom-apptwo')).not.toBeNull();

    const environment = await harness.run(['workspaces', 'remove', 'shop', '--yes'], {
      INTERCOM_ACCESS_TOKEN: 'env-token-0123456789',
      INTERCOM_CLIENT_SECRET: 'x',
      PRODUCT_ID: 'shop',
    });
    expect(environment.code).toBe(1);
    expect(environment.stderr).toContain("is the environment's workspace");
  });
});
