import { loadConfig } from '@threadline/config';
import { deleteKeysWithPrefix, freePort, testRedisUrl, uniquePrefix } from '@threadline/test-helpers';
import { afterAll, describe, expect, it } from 'vitest';
import { emailFingerprintKey, openDeployment, userStoreSettings } from './open-deployment.js';

const prefix = uniquePrefix('compose');
afterAll(() => deleteKeysWithPrefix(testRedisUrl(), prefix));

function configWith(env: Record<string, string>) {
  const result = loadConfig({ REDIS_URL: testRedisUrl(), THREADLINE_PREFIX: prefix, ...env });
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return result.config;
}

describe('openDeployment', () => {
  it('opens Redis, the queues and the user stores with every setting, and closes once', async () => {
    const config = configWith({ NOTE_QUEUE_SHARDS: '2', LINK_BY_EMAIL: 'true' });
    const deployment = await openDeployment(config, { role: 'producer', onError: () => {} });
    expect(deployment.redis.status).toBe('ready');
    expect(deployment.queues.names).toEqual(['link', 'notes', 'notes-1', 'summaries', 'push']);
    expect(deployment.stores.identities).toBeDefined();
    const user = { productId: 'shop', userId: 'u1' };
    await deployment.stores.activity.append(user, [
      { type: 'custom', description: 'hello', at: new Date().toISOString() } as never,
    ]);
    expect(
      (await deployment.stores.activity.listRecent(user, 5)).map((action) => action.description),
    ).toEqual(['hello']);
    await Promise.all([deployment.close(), deployment.close()]);
    expect(await deployment.redis.ping().catch(() => 'closed')).toBe('closed');
    await deployment.close();
  });

  it('keys email fingerprints with the client secret, or the prefix without one, in every process', () => {
    const withSecret = configWith({ INTERCOM_CLIENT_SECRET: 'client-secret' });
    expect(emailFingerprintKey(withSecret)).toBe('client-secret');
    expect(userStoreSettings(withSecret).fingerprintKey).toBe('client-secret');
    expect(emailFingerprintKey(configWith({}))).toBe(prefix);
  });

  it('fails on the first connection error when a person is waiting', async () => {
    const port = await freePort();
    const config = configWith({ REDIS_URL: `redis://127.0.0.1:${port}` });
    await expect(
      openDeployment(config, {
        role: 'producer',
        readyTimeoutMs: 20_000,
        isFailingOnFirstError: true,
        onError: () => {},
      }),
      // The refusal itself, not the readiness timeout ("did not become ready within …").
    ).rejects.toThrow(/ECONNREFUSED/);
  });
});
