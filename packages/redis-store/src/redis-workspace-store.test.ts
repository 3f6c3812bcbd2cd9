import { randomBytes } from 'node:crypto';
import { deleteKeysWithPrefix, testRedisUrl, uniquePrefix } from '@threadline/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, type RedisClient } from './create-redis.js';
import { RedisAccessKeyStore } from './redis-access-key-store.js';
import { RedisKeys } from './redis-keys.js';
import { RedisLinkStore } from './redis-link-store.js';
import { productIdOfAppId, RedisWorkspaceStore } from './redis-workspace-store.js';
import { scanKeys } from './scan-keys.js';
import { TokenCipher } from './token-cipher.js';
import { waitUntilReady } from './wait-until-ready.js';

const prefix = uniquePrefix('workspaces');
const keys = new RedisKeys(prefix);
const firstKey = randomBytes(32).toString('base64');
let redis: RedisClient;

beforeAll(async () => {
  redis = createRedis(testRedisUrl(), 'producer', () => {});
  await waitUntilReady(redis);
});
afterAll(async () => {
  await deleteKeysWithPrefix(testRedisUrl(), prefix);
  redis.disconnect();
});

const install = (appId: string, accessToken: string, adminId = '991') => ({
  appId,
  adminId,
  apiBaseUrl: 'https://api.eu.intercom.io',
  accessToken,
});

describe('RedisWorkspaceStore', () => {
  it('stores an install and finds it by product and app id, with its token sealed', async () => {
    const store = new RedisWorkspaceStore(redis, keys, new TokenCipher([firstKey]));
    const { workspace, isNew } = await store.save(install('abc123', 'tok-abc-secret'), 1000);
    expect(isNew).toBe(true);
    expect(workspace).toEqual({
      productId: 'intercom-abc123',
      appId: 'abc123',
      adminId: '991',
      apiBaseUrl: 'https://api.eu.intercom.io',
      source: 'oauth',
      createdAt: 1000,
    });
    expect(await store.byProduct('intercom-abc123')).toEqual(workspace);
    expect(await store.byAppId('abc123')).toEqual(workspace);
    expect(await store.byAppId('nope')).toBeNull();
    expect(await store.byProduct('nope')).toBeNull();
    expect(await store.accessToken('intercom-abc123')).toBe('tok-abc-secret');
    expect(await store.accessToken('nope')).toBeNull();
    const sealed = await redis.hget(keys.workspaceTokens(), 'intercom-abc123');
    expect(sealed).not.toContain('tok-abc-secret');
  });

  it('on reinstall replaces token and admin, keeps product id, creation, keys and data', async () => {
    const store = new RedisWorkspaceStore(redis, keys, new TokenCipher([firstKey]));
    const first = await store.save(install('re1', 'tok-old'), 1000);
    await store.addCaptureKey(first.workspace.productId, 'tlc_capture_re1');
    await new RedisAccessKeyStore(redis, keys).create({
      id: 'aaaaaaaaaaa1',
      productId: first.workspace.productId,
      name: 'mcp',
      keyHash: 'ab'.repeat(32),
      createdAt: new Date(1000).toISOString(),
    });
    const again = await store.save(install('re1', 'tok-new', '992'), 5000);
    expect(again.isNew).toBe(false);
    expect(again.workspace.productId).toBe(first.workspace.productId);
    expect(again.workspace.createdAt).toBe(1000);
    expect(again.workspace.adminId).toBe('992');
    expect(await store.accessToken(first.workspace.productId)).toBe('tok-new');
    expect(await store.productOfCaptureKey('tlc_capture_re1')).toBe(first.workspace.productId);
    const details = await store.details(first.workspace.productId);
    expect(details).toMatchObject({ installedAt: 5000, captureKeys: 1, mcpKeyIds: ['aaaaaaaaaaa1'] });
    expect(JSON.stringify(details)).not.toContain('tok-new');
  });

  it('derives a product id that fits, and never gives two app ids the same one', async () => {
    const store = new RedisWorkspaceStore(redis, keys, new TokenCipher([firstKey]));
    expect(productIdOfAppId('a:b{c}')).toBe('intercom-a-b-c-');
    const one = await store.save(install('x/y', 'tok-1'), 1);
    const two = await store.save(install('x:y', 'tok-2'), 2);
    expect(one.workspace.productId).toBe('intercom-x-y');
    expect(two.workspace.productId).toBe('intercom-x-y-2');
    expect(await store.accessToken('intercom-x-y-2')).toBe('tok-2');
  });

  it('records the last activity', async () => {
    const store = new RedisWorkspaceStore(redis, keys, new TokenCipher([firstKey]));
    const { workspace } = await store.save(install('seen1', 'tok-seen'), 10);
    expect((await store.details(workspace.productId))?.lastSeenAt).toBeNull();
    await store.touch(workspace.productId, 777);
    expect((await store.details(workspace.productId))?.lastSeenAt).toBe(777);
  });

  it('rekeys every token to the first key, and leaves unreadable ones named', async () => {
    const ownKeys = new RedisKeys(`${prefix}-rekey`);
    const old = new RedisWorkspaceStore(redis, ownKeys, new TokenCipher([firstKey]));
    await old.save(install('rk1', 'tok-rk1'), 1);
    await old.save(install('rk2', 'tok-rk2'), 2);
    const stranger = new RedisWorkspaceStore(
      redis,
      ownKeys,
      new TokenCipher([randomBytes(32).toString('base64')]),
    );
    await stranger.save(install('rk3', 'tok-rk3'), 3);

    const freshKey = randomBytes(32).toString('base64');
    const rotated = new RedisWorkspaceStore(redis, ownKeys, new TokenCipher([freshKey, firstKey]));
    expect(await rotated.rekey()).toEqual({ rekeyed: 2, current: 0, unreadable: ['intercom-rk3'] });
    expect(await rotated.rekey()).toEqual({ rekeyed: 0, current: 2, unreadable: ['intercom-rk3'] });
    const onlyNew = new RedisWorkspaceStore(redis, ownKeys, new TokenCipher([freshKey]));
    expect(await onlyNew.accessToken('intercom-rk1')).toBe('tok-rk1');
    expect(await onlyNew.accessToken('intercom-rk2')).toBe('tok-rk2');
    expect((await onlyNew.details('intercom-rk1'))?.tokenKeyId).toBe(
      new TokenCipher([freshKey]).currentKeyId,
    );
  });

  it('without an encryption key lists workspaces but refuses to read or store tokens', async () => {
    const store = new RedisWorkspaceStore(redis, keys, null);
    expect((await store.list()).length).toBeGreaterThan(0);
    await expect(store.accessToken('intercom-abc123')).rejects.toThrow(/THREADLINE_ENCRYPTION_KEY/);
    await expect(store.save(install('nokey', 'tok'), 1)).rejects.toThrow(/THREADLINE_ENCRYPTION_KEY/);
  });

  it('removes a workspace with its token, keys, links and activity, and nothing of another', async () => {
    const ownKeys = new RedisKeys(`${prefix}-remove`);
    const store = new RedisWorkspaceStore(redis, ownKeys, new TokenCipher([firstKey]));
    const a = (await store.save(install('rma', 'tok-rma'), 1)).workspace.productId;
    const b = (await store.save(install('rmb', 'tok-rmb'), 2)).workspace.productId;
    for (const product of [a, b]) {
      await store.addCaptureKey(product, `tlc_${product}`);
      await store.touch(product, 9);
      await redis.xadd(ownKeys.actions(product, 'user-1'), '*', 't', 'click');
      await redis.xadd(ownKeys.productFeed(product), '*', 'u', 'user-1');
      await redis.sadd(ownKeys.seenEvents(product, 'user-1', 1), '5');
      await new RedisLinkStore(redis, ownKeys).create(
        {
          conversationId: `conv-${product}`,
          productId: product,
          userId: 'user-1',
          sessionId: null,
          appId: product,
          contactId: 'contact-1',
          conversationCreatedAt: 1,
          linkedAt: new Date(1).toISOString(),
          status: 'open',
        },
        null,
      );
      await new RedisAccessKeyStore(redis, ownKeys).create({
        id: product === a ? 'aaaaaaaaaaaa' : 'bbbbbbbbbbbb',
        productId: product,
        name: 'mcp',
        keyHash: 'ab'.repeat(32),
        createdAt: new Date(1).toISOString(),
      });
    }
    const before = await scanKeys(redis, `${ownKeys.prefix}:*`);
    expect(before.some((key) => key.includes(`conv-${a}`))).toBe(true);

    const removed = await store.remove(a);
    expect(removed).toMatchObject({ productId: a, accessKeys: 1, captureKeys: 1, conversations: 1 });
    expect(removed?.activityKeys).toBeGreaterThanOrEqual(3);
    expect(await store.remove(a)).toBeNull();
    expect(await store.byProduct(a)).toBeNull();
    expect(await store.byAppId('rma')).toBeNull();
    expect(await store.accessToken(a)).toBeNull();
    expect(await store.productOfCaptureKey(`tlc_${a}`)).toBeNull();
    const after = await scanKeys(redis, `${ownKeys.prefix}:*`);
    expect(after.filter((key) => key.includes(encodeURIComponent(a)) || key.includes(`conv-${a}`))).toEqual(
      [],
    );
    expect(await new RedisAccessKeyStore(redis, ownKeys).get('aaaaaaaaaaaa')).toBeNull();

    expect(await store.accessToken(b)).toBe('tok-rmb');
    expect(await store.productOfCaptureKey(`tlc_${b}`)).toBe(b);
    expect(await redis.xlen(ownKeys.actions(b, 'user-1'))).toBe(1);
    expect(after.some((key) => key.includes(`conv-${b}`))).toBe(true);
    expect(await new RedisAccessKeyStore(redis, ownKeys).get('bbbbbbbbbbbb')).not.toBeNull();
  });

  it('keeps every workspace key under one hash tag', () => {
    const tag = (key: string) => key.slice(key.indexOf('{'), key.indexOf('}') + 1);
    for (const key of [
      keys.workspaces(),
      keys.workspaceTokens(),
      keys.workspaceAppIds(),
      keys.workspaceLastSeen(),
      keys.workspaceCaptureKeys(),
    ])
      expect(tag(key)).toBe('{ws}');
  });
});
