import { describe, expect, it } from 'vitest';
import type { Workspace, WorkspaceDirectory } from '../ports/workspace-directory.js';
import { combinedWorkspaceDirectory } from './combined-workspace-directory.js';
import { EnvironmentWorkspace, type EnvironmentWorkspaceSettings } from './environment-workspace.js';

function environment(overrides: Partial<EnvironmentWorkspaceSettings> = {}) {
  const asked: string[] = [];
  const workspace = new EnvironmentWorkspace({
    productId: 'prod',
    accessToken: 'tok-env',
    adminId: undefined,
    appId: undefined,
    apiBaseUrl: 'https://api.intercom.io',
    startedAt: 5,
    identify: async (token) => {
      asked.push(token);
      return { adminId: '7', appId: 'app_env' };
    },
    ...overrides,
  });
  return { workspace, asked };
}

/** An installed workspace directory in memory. */
function installed(workspaces: Workspace[], tokens: Record<string, string>): WorkspaceDirectory {
  return {
    byProduct: async (productId) => workspaces.find((each) => each.productId === productId) ?? null,
    byAppId: async (appId) => workspaces.find((each) => each.appId === appId) ?? null,
    accessToken: async (productId) => tokens[productId] ?? null,
    list: async () => workspaces,
  };
}

const oauth = (productId: string, appId: string): Workspace => ({
  productId,
  appId,
  adminId: '9',
  apiBaseUrl: 'https://api.eu.intercom.io',
  source: 'oauth',
  createdAt: 1,
});

describe('the environment workspace', () => {
  it('learns its app id from GET /me once, and answers webhooks of that app id only', async () => {
    const { workspace, asked } = environment();
    expect(await workspace.byAppId('app_env')).toMatchObject({ productId: 'prod', adminId: '7' });
    expect(await workspace.byAppId('app_other')).toBeNull();
    expect(asked).toEqual(['tok-env']);
    expect(await workspace.byProduct('prod')).toMatchObject({ appId: 'app_env', source: 'environment' });
  });

  it('never asks GET /me for byProduct (a worker makes no call outside its gate)', async () => {
    const { workspace, asked } = environment();
    expect(await workspace.byProduct('prod')).toMatchObject({ appId: '', adminId: '' });
    expect(await workspace.accessToken('prod')).toBe('tok-env');
    expect(await workspace.accessToken('other')).toBeNull();
    expect(asked).toEqual([]);
  });

  it('uses INTERCOM_APP_ID and INTERCOM_ADMIN_ID without asking', async () => {
    const { workspace, asked } = environment({ appId: 'app_set', adminId: '3' });
    expect(await workspace.byAppId('app_set')).toMatchObject({ adminId: '3' });
    expect(asked).toEqual([]);
  });

  it('throws on a webhook while GET /me fails, and asks again the next time', async () => {
    let calls = 0;
    const { workspace } = environment({
      identify: async () => {
        calls += 1;
        if (calls === 1) throw new Error('Intercom down');
        return { adminId: '7', appId: 'app_env' };
      },
    });
    await expect(workspace.byAppId('app_env')).rejects.toThrow('Intercom down');
    expect(await workspace.byAppId('app_env')).not.toBeNull();
  });
});

describe('the combined directory', () => {
  it('asks the environment first, then the installed workspaces, and lists each product once', async () => {
    const { workspace } = environment({ appId: 'app_env', adminId: '7' });
    const directory = combinedWorkspaceDirectory(
      workspace,
      installed([oauth('prod', 'app_shadow'), oauth('intercom-b', 'app_b')], {
        prod: 'tok-shadow',
        'intercom-b': 'tok-b',
      }),
    );
    expect(await directory.accessToken('prod')).toBe('tok-env');
    expect(await directory.accessToken('intercom-b')).toBe('tok-b');
    expect((await directory.byAppId('app_b'))?.productId).toBe('intercom-b');
    expect(await directory.byAppId('app_none')).toBeNull();
    expect((await directory.list()).map((each) => [each.productId, each.source])).toEqual([
      ['prod', 'environment'],
      ['intercom-b', 'oauth'],
    ]);
  });
});
