import { describe, expect, it } from 'vitest';
import type { AccessKeyRecord } from '../ports/access-key-store.js';
import type { Workspace } from '../ports/workspace-directory.js';
import type {
  CodeExchange,
  IntercomOAuth,
  OAuthStateStore,
  WorkspaceIdentity,
  WorkspaceInstall,
  WorkspaceRegistry,
} from '../ports/workspace-registry.js';
import { completeInstall, regionalApiBaseUrl, startInstall } from './install-workspace.js';

class MemoryStates implements OAuthStateStore {
  readonly entries = new Map<string, { binding: string; ttl: number }>();
  async put(stateHash: string, bindingHash: string, ttlSeconds: number) {
    this.entries.set(stateHash, { binding: bindingHash, ttl: ttlSeconds });
  }
  async take(stateHash: string) {
    const entry = this.entries.get(stateHash);
    this.entries.delete(stateHash);
    return entry?.binding ?? null;
  }
}

class MemoryWorkspaces implements WorkspaceRegistry {
  readonly saved: WorkspaceInstall[] = [];
  readonly captureKeys = new Map<string, string>();
  private readonly byApp = new Map<string, Workspace>();
  async save(install: WorkspaceInstall, now: number) {
    this.saved.push(install);
    const known = this.byApp.get(install.appId);
    const workspace: Workspace = {
      productId: `intercom-${install.appId}`,
      appId: install.appId,
      adminId: install.adminId,
      apiBaseUrl: install.apiBaseUrl,
      source: 'oauth',
      createdAt: known?.createdAt ?? now,
    };
    this.byApp.set(install.appId, workspace);
    return { workspace, isNew: known === undefined };
  }
  async addCaptureKey(productId: string, key: string) {
    this.captureKeys.set(key, productId);
  }
  async byProduct(productId: string) {
    return [...this.byApp.values()].find((workspace) => workspace.productId === productId) ?? null;
  }
  async byAppId(appId: string) {
    return this.byApp.get(appId) ?? null;
  }
  async accessToken() {
    return null;
  }
  async list() {
    return [...this.byApp.values()];
  }
}

function intercom(exchange: CodeExchange, identity: WorkspaceIdentity): IntercomOAuth & { codes: string[] } {
  const codes: string[] = [];
  return {
    codes,
    async exchangeCode(code) {
      codes.push(code);
      return exchange;
    },
    async identify() {
      return identity;
    },
  };
}

const identified: WorkspaceIdentity = { kind: 'identified', appId: 'app1', adminId: '7', region: 'EU' };

async function setUp(oauth = intercom({ kind: 'token', accessToken: 'tok-1' }, identified)) {
  const states = new MemoryStates();
  const workspaces = new MemoryWorkspaces();
  const keys: AccessKeyRecord[] = [];
  const started = await startInstall({ states });
  const deps = {
    states,
    intercom: oauth,
    workspaces,
    accessKeys: { create: async (record: AccessKeyRecord) => void keys.push(record) },
    apiBaseUrl: 'https://api.intercom.io',
    now: () => new Date(5000),
  };
  const complete = (overrides: Partial<Parameters<typeof completeInstall>[0]> = {}) =>
    completeInstall(
      {
        code: 'code-1',
        state: started.state,
        error: undefined,
        browserBinding: started.browserBinding,
        ...overrides,
      },
      deps,
    );
  return { states, workspaces, keys, started, complete, oauth };
}

describe('startInstall', () => {
  it('keeps only hashes of the state and the browser binding, for 10 minutes', async () => {
    const { states, started } = await setUp();
    const [stateHash, entry] = [...states.entries][0] ?? ['', undefined];
    expect(stateHash).toMatch(/^[0-9a-f]{64}$/);
    expect(stateHash).not.toContain(started.state);
    expect(entry).toMatchObject({ ttl: 600 });
    expect(entry?.binding).not.toContain(started.browserBinding);
    expect(started.state).not.toBe(started.browserBinding);
  });
});

describe('completeInstall', () => {
  it('installs: the regional base URL, the token handed to the registry, new capture and MCP keys', async () => {
    const { complete, workspaces, keys } = await setUp();
    const outcome = await complete();
    if (outcome.kind !== 'installed') throw new Error(outcome.kind);
    expect(outcome.workspace).toMatchObject({
      productId: 'intercom-app1',
      apiBaseUrl: 'https://api.eu.intercom.io',
    });
    expect(workspaces.saved).toEqual([
      { appId: 'app1', adminId: '7', apiBaseUrl: 'https://api.eu.intercom.io', accessToken: 'tok-1' },
    ]);
    expect(outcome.keys?.captureKey).toMatch(/^tlc_[\w-]{43}$/);
    expect(workspaces.captureKeys.get(outcome.keys?.captureKey ?? '')).toBe('intercom-app1');
    expect(keys).toEqual([
      expect.objectContaining({ id: outcome.keys?.mcpKeyId, productId: 'intercom-app1' }),
    ]);
    expect(JSON.stringify(outcome)).not.toContain('tok-1');
  });

  it('on a reinstall makes no keys', async () => {
    const first = await setUp();
    await first.complete();
    const second = await startInstall({ states: first.states });
    const outcome = await completeInstall(
      { code: 'code-2', state: second.state, error: undefined, browserBinding: second.browserBinding },
      {
        states: first.states,
        intercom: first.oauth,
        workspaces: first.workspaces,
        accessKeys: { create: async () => undefined },
        apiBaseUrl: 'https://api.intercom.io',
        now: () => new Date(9000),
      },
    );
    expect(outcome).toMatchObject({ kind: 'installed', keys: null, workspace: { createdAt: 5000 } });
  });

  it('spends the state once: a replay is unknown', async () => {
    const { complete } = await setUp();
    expect((await complete()).kind).toBe('installed');
    expect((await complete()).kind).toBe('unknown_state');
  });

  it('refuses each broken callback before asking Intercom', async () => {
    for (const [overrides, kind] of [
      [{ state: undefined }, 'missing_state'],
      [{ state: 'forged' }, 'unknown_state'],
      [{ browserBinding: undefined }, 'missing_cookie'],
      [{ browserBinding: 'another-browser-binding' }, 'wrong_browser'],
      [{ error: 'access_denied', code: undefined }, 'denied'],
      [{ code: undefined }, 'missing_code'],
    ] as const) {
      const { complete, oauth, workspaces } = await setUp();
      expect((await complete(overrides)).kind).toBe(kind);
      expect(oauth.codes).toEqual([]);
      expect(workspaces.saved).toEqual([]);
    }
  });

  it('says whether Intercom refused the code or did not answer, and stores nothing', async () => {
    const cases: [IntercomOAuth, string][] = [
      [intercom({ kind: 'refused' }, identified), 'code_refused'],
      [intercom({ kind: 'unavailable' }, identified), 'intercom_unavailable'],
      [intercom({ kind: 'token', accessToken: 't' }, { kind: 'unavailable' }), 'intercom_unavailable'],
      [intercom({ kind: 'token', accessToken: 't' }, { kind: 'refused' }), 'code_refused'],
    ];
    for (const [oauth, kind] of cases) {
      const { complete, workspaces } = await setUp(oauth as IntercomOAuth & { codes: string[] });
      expect((await complete()).kind).toBe(kind);
      expect(workspaces.saved).toEqual([]);
    }
  });
});

describe('regionalApiBaseUrl', () => {
  it("follows the region on Intercom's US host, and keeps any other configured host", () => {
    expect(regionalApiBaseUrl('https://api.intercom.io', 'EU')).toBe('https://api.eu.intercom.io');
    expect(regionalApiBaseUrl('https://api.intercom.io', 'AU')).toBe('https://api.au.intercom.io');
    expect(regionalApiBaseUrl('https://api.intercom.io', 'US')).toBe('https://api.intercom.io');
    expect(regionalApiBaseUrl('https://api.intercom.io', null)).toBe('https://api.intercom.io');
    expect(regionalApiBaseUrl('http://127.0.0.1:8090', 'EU')).toBe('http://127.0.0.1:8090');
  });
});
