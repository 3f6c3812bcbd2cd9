import { randomBytes } from 'node:crypto';
import { SandboxStore } from '../state/sandbox-store.js';
import { RateLimitWindow } from './rate-limit-window.js';
import { type SandboxPermission, sandboxPermissions, type TokenPermissions } from './token-permissions.js';

/** One sandbox workspace (an Intercom "app"): its own data, admin, app id and rate-limit window. */
export interface SandboxWorkspace {
  /** Intercom's `app.id_code`. */
  appId: string;
  name: string;
  store: SandboxStore;
  rateLimit: RateLimitWindow;
}

export interface SandboxWorkspaceOptions {
  appId: string;
  /** Default `'Workspace <app id>'`. */
  name?: string;
  /** Default: an id of its own. */
  adminId?: string;
  /** Requests per 10-second window before 429. Default 1666. */
  rateLimitPerWindow?: number;
}

/** Who a bearer token belongs to and what it may do. */
export interface TokenOwner {
  workspace: SandboxWorkspace;
  permissions: readonly SandboxPermission[];
}

function newWorkspace(
  options: SandboxWorkspaceOptions,
  index: number,
  fallbackLimit: number,
): SandboxWorkspace {
  const adminId = options.adminId ?? String(991_267 + index * 1000);
  return {
    appId: options.appId,
    name: options.name ?? `Workspace ${options.appId}`,
    store: new SandboxStore(
      {
        type: 'admin',
        id: adminId,
        name: `Sandbox Admin ${index + 1}`,
        email: `admin${index + 1}@sandbox.threadline.invalid`,
      },
      options.appId,
      index,
    ),
    rateLimit: new RateLimitWindow(options.rateLimitPerWindow ?? fallbackLimit),
  };
}

/**
 * Every workspace of the sandbox and every token: the first workspace is the default one (the main
 * token and the granted tokens act on it, as before); tokens issued by the OAuth flow act on the
 * workspace they were installed into, with every permission, until revoked.
 */
export class SandboxWorkspaces {
  readonly all: SandboxWorkspace[];
  private readonly issued = new Map<string, SandboxWorkspace>();
  private readonly revoked = new Set<string>();

  constructor(
    workspaces: readonly SandboxWorkspaceOptions[],
    private readonly mainPermissions: TokenPermissions,
    fallbackLimit: number,
  ) {
    this.all = workspaces.map((options, index) => newWorkspace(options, index, fallbackLimit));
    if (new Set(this.all.map((workspace) => workspace.appId)).size !== this.all.length)
      throw new Error('two sandbox workspaces have the same app id');
  }

  get main(): SandboxWorkspace {
    return this.all[0]!;
  }

  byAppId(appId: string | undefined): SandboxWorkspace | undefined {
    if (appId === undefined || appId === '') return this.main;
    return this.all.find((workspace) => workspace.appId === appId);
  }

  /** The workspace holding this conversation, if any. */
  ofConversation(conversationId: string): SandboxWorkspace | undefined {
    return this.all.find((workspace) => workspace.store.conversation(conversationId) !== undefined);
  }

  /** The token's workspace and permissions, or undefined for an unknown or revoked token (401). */
  ownerOf(token: string): TokenOwner | undefined {
    if (this.revoked.has(token)) return undefined;
    const installed = this.issued.get(token);
    if (installed) return { workspace: installed, permissions: sandboxPermissions };
    const permissions = this.mainPermissions.of(token);
    return permissions ? { workspace: this.main, permissions } : undefined;
  }

  /** A new token for the workspace (an OAuth install); each install gets a token of its own. */
  issue(workspace: SandboxWorkspace): string {
    const token = `dG9rOl${randomBytes(24).toString('base64url')}`;
    this.issued.set(token, workspace);
    return token;
  }

  /** Every token the OAuth flow issued, with its workspace (for tests that look for leaks). */
  issuedTokens(): { token: string; appId: string }[] {
    return [...this.issued].map(([token, workspace]) => ({ token, appId: workspace.appId }));
  }

  /** Revokes one token, or every installed token of a workspace (an uninstall). Answers how many. */
  revoke(target: { token: string } | { appId: string }): number {
    if ('token' in target) {
      const isKnown = this.ownerOf(target.token) !== undefined;
      if (isKnown) this.revoked.add(target.token);
      return isKnown ? 1 : 0;
    }
    let count = 0;
    for (const [token, workspace] of this.issued) {
      if (workspace.appId === target.appId && !this.revoked.has(token)) {
        this.revoked.add(token);
        count += 1;
      }
    }
    return count;
  }

  /** Forgets issued and revoked tokens, data and rate-limit windows of every workspace. */
  reset(): void {
    this.issued.clear();
    this.revoked.clear();
    for (const workspace of this.all) {
      workspace.store.reset();
      workspace.rateLimit.reset();
    }
  }
}
