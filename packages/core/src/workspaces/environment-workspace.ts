import type { Workspace, WorkspaceDirectory } from '../ports/workspace-directory.js';

/** What `GET /me` says about a token: its admin and its workspace (`app.id_code`). */
export interface TokenIdentity {
  adminId: string;
  appId: string | null;
}

export interface EnvironmentWorkspaceSettings {
  /** PRODUCT_ID. */
  productId: string;
  /** INTERCOM_ACCESS_TOKEN; without it the workspace has no token (and no `GET /me` to ask). */
  accessToken: string | undefined;
  /** INTERCOM_ADMIN_ID; asked of `GET /me` when unset. */
  adminId: string | undefined;
  /** INTERCOM_APP_ID; asked of `GET /me` when unset. */
  appId: string | undefined;
  /** INTERCOM_API_BASE_URL. */
  apiBaseUrl: string;
  /** `GET /me` with the token; asked at most once while it answers. */
  identify(accessToken: string): Promise<TokenIdentity>;
  /** When the process started (the workspace's `createdAt`: configuration has no other). */
  startedAt: number;
}

/**
 * The workspace of PRODUCT_ID, from the environment: the single-workspace setup, unchanged. Its app id
 * and admin are the configured ones or what `GET /me` answers for its token (asked once, again after a
 * failure). With neither an app id nor a token nothing can tell its app id: it is then the workspace of
 * any app id no other directory knows (`isCatchAll`, applied by `deploymentWorkspaces`), as the
 * single-workspace setup always was.
 */
export class EnvironmentWorkspace implements WorkspaceDirectory {
  private identity: Promise<TokenIdentity | null> | undefined;
  /** What `GET /me` answered, once it has. */
  private known: TokenIdentity | null = null;

  constructor(private readonly settings: EnvironmentWorkspaceSettings) {}

  /** PRODUCT_ID. */
  get productId(): string {
    return this.settings.productId;
  }

  /** Whether a webhook of any app id belongs here (no INTERCOM_APP_ID and no token to ask). */
  get isCatchAll(): boolean {
    return this.settings.appId === undefined && this.settings.accessToken === undefined;
  }

  private resolve(): Promise<TokenIdentity | null> {
    const { accessToken, adminId, appId } = this.settings;
    if (appId !== undefined && adminId !== undefined) return Promise.resolve({ adminId, appId });
    if (accessToken === undefined) return Promise.resolve(null);
    this.identity ??= this.settings.identify(accessToken).then(
      (identity) => {
        this.known = identity;
        return identity;
      },
      (error: unknown) => {
        this.identity = undefined;
        throw error;
      },
    );
    return this.identity;
  }

  /**
   * `isStrict`: a failed `GET /me` throws (a webhook must not be routed on a guess); otherwise the
   * unknown fields are empty (an empty admin makes the Intercom client ask `GET /me` itself).
   */
  private async workspace(isStrict = false): Promise<Workspace> {
    const { productId, adminId, appId, apiBaseUrl, startedAt } = this.settings;
    const identity =
      appId !== undefined && adminId !== undefined
        ? null
        : await this.resolve().catch((error: unknown) => {
            if (isStrict) throw error;
            return null;
          });
    return {
      productId,
      appId: appId ?? identity?.appId ?? '',
      adminId: adminId ?? identity?.adminId ?? '',
      apiBaseUrl,
      source: 'environment',
      createdAt: startedAt,
    };
  }

  /**
   * Never asks `GET /me` (a worker with a refused token must make no call outside its send gate): the
   * app id and admin are the configured ones or what an earlier `GET /me` answered, else empty.
   */
  async byProduct(productId: string): Promise<Workspace | null> {
    if (productId !== this.settings.productId) return null;
    const { adminId, appId, apiBaseUrl, startedAt } = this.settings;
    return {
      productId,
      appId: appId ?? this.known?.appId ?? '',
      adminId: adminId ?? this.known?.adminId ?? '',
      apiBaseUrl,
      source: 'environment',
      createdAt: startedAt,
    };
  }

  async byAppId(appId: string): Promise<Workspace | null> {
    if (this.isCatchAll) return null;
    const workspace = await this.workspace(this.settings.appId === undefined);
    return workspace.appId === appId ? workspace : null;
  }

  async accessToken(productId: string): Promise<string | null> {
    return productId === this.settings.productId ? (this.settings.accessToken ?? null) : null;
  }

  /** Asks nothing either (what `byProduct` answers). */
  async list(): Promise<Workspace[]> {
    return [(await this.byProduct(this.settings.productId)) as Workspace];
  }
}
