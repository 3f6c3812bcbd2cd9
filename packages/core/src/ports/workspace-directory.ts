/** One Intercom workspace this deployment serves; each workspace is one product. */
export interface Workspace {
  readonly productId: string;
  /** Intercom's workspace id (`app.id_code`); webhooks carry it as `app_id`. */
  readonly appId: string;
  /** The admin notes are written as. */
  readonly adminId: string;
  /** Intercom's REST base URL for the workspace's region (or the sandbox). */
  readonly apiBaseUrl: string;
  /** `environment`: the PRODUCT_ID workspace from configuration; `oauth`: installed. */
  readonly source: 'environment' | 'oauth';
  /** Epoch ms. */
  readonly createdAt: number;
}

/** Finds workspaces and their tokens. A token is a secret: never log, count or print it. */
export interface WorkspaceDirectory {
  byProduct(productId: string): Promise<Workspace | null>;
  byAppId(appId: string): Promise<Workspace | null>;
  accessToken(productId: string): Promise<string | null>;
  list(): Promise<Workspace[]>;
}
