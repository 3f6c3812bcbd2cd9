/** What a workspace's client is built from; a change of any of them (a reinstall) builds a new one. */
export interface WorkspaceClientSettings {
  accessToken: string;
  baseUrl: string;
  /** Empty or unset: the client asks `GET /me` for the token's admin. */
  adminId: string | undefined;
}

interface Entry<Client> {
  settings: WorkspaceClientSettings;
  client: Client;
}

/** How many workspaces' clients are kept by default (the least recently used goes first). */
export const defaultMaxWorkspaceClients = 500;

/**
 * One Intercom client per workspace (product), built on first use and kept: bounded (the least
 * recently used goes past `maxClients`) and rebuilt when the workspace's token, region or admin
 * changes, so a reinstall's new token is used from the next call and the old one never again. The
 * tokens stay in this process's memory only, as they do inside the clients.
 */
export class WorkspaceClients<Client> {
  private readonly entries = new Map<string, Entry<Client>>();

  constructor(
    private readonly build: (productId: string, settings: WorkspaceClientSettings) => Client,
    private readonly maxClients = defaultMaxWorkspaceClients,
  ) {}

  /** The product's client for these settings. */
  get(productId: string, settings: WorkspaceClientSettings): Client {
    const entry = this.entries.get(productId);
    this.entries.delete(productId);
    if (entry && isSame(entry.settings, settings)) {
      this.entries.set(productId, entry);
      return entry.client;
    }
    const client = this.build(productId, { ...settings });
    this.entries.set(productId, { settings: { ...settings }, client });
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.maxClients) break;
      this.entries.delete(oldest);
    }
    return client;
  }

  /** Drops the product's client (its workspace was removed or its token refused). */
  forget(productId: string): void {
    this.entries.delete(productId);
  }

  get size(): number {
    return this.entries.size;
  }
}

function isSame(a: WorkspaceClientSettings, b: WorkspaceClientSettings): boolean {
  return (
    a.accessToken === b.accessToken && a.baseUrl === b.baseUrl && (a.adminId || '') === (b.adminId || '')
  );
}
