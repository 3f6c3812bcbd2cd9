import type { IntercomPort, IntercomSendGate, Workspace, WorkspaceDirectory } from '@threadline/core';
import { type WorkspaceClientSettings, WorkspaceClients } from '@threadline/intercom';

/** No workspace serves the product (removed, or a token missing): the job cannot reach Intercom. */
export class UnknownWorkspaceError extends Error {
  constructor(productId: string) {
    super(`no Intercom workspace serves product ${productId} (see \`threadline workspaces list\`)`);
    this.name = 'UnknownWorkspaceError';
  }
}

/** One workspace's Intercom: its client (counted, behind its own gate) and that gate. */
export interface WorkspaceIntercom {
  workspace: Workspace;
  intercom: IntercomPort;
  sendGate: IntercomSendGate;
}

/** Finds the Intercom of a product's workspace. */
export interface WorkspaceIntercoms {
  /** Null: no workspace serves the product, or it has no token. */
  forProduct(productId: string): Promise<WorkspaceIntercom | null>;
}

export interface WorkspaceIntercomsOptions {
  directory: WorkspaceDirectory;
  sendGateFor(productId: string): IntercomSendGate;
  /** The product's client: the Intercom adapter, counted and gated (built once per token). */
  buildClient(
    workspace: Workspace,
    settings: WorkspaceClientSettings,
    sendGate: IntercomSendGate,
  ): IntercomPort;
  /** How many clients are kept (default `defaultMaxWorkspaceClients`). */
  maxClients?: number;
}

/**
 * Each product's Intercom from the workspace directory: the token is read for every job (so a
 * reinstall's token is used from the next job on, and an uninstalled workspace stops), the client
 * is built once per token and kept in a bounded cache.
 */
export function workspaceIntercoms(options: WorkspaceIntercomsOptions): WorkspaceIntercoms {
  // The workspace the client being built is for (set just before `clients.get`, which builds at once).
  let building: Workspace | undefined;
  const clients = new WorkspaceClients<IntercomPort>(
    (productId, settings) =>
      options.buildClient(building as Workspace, settings, options.sendGateFor(productId)),
    options.maxClients,
  );
  return {
    async forProduct(productId) {
      const [workspace, accessToken] = await Promise.all([
        options.directory.byProduct(productId),
        options.directory.accessToken(productId),
      ]);
      if (!workspace || !accessToken) {
        clients.forget(productId);
        return null;
      }
      building = workspace;
      const intercom = clients.get(productId, {
        accessToken,
        baseUrl: workspace.apiBaseUrl,
        adminId: workspace.adminId || undefined,
      });
      return { workspace, intercom, sendGate: options.sendGateFor(productId) };
    },
  };
}

/** An Intercom port whose client is found on its first call (a job that calls nothing looks up nothing). */
export function lazyIntercom(resolve: () => Promise<IntercomPort>): IntercomPort {
  let found: Promise<IntercomPort> | undefined;
  const port = () => {
    found ??= resolve();
    return found;
  };
  return {
    addNote: async (conversationId, note) => (await port()).addNote(conversationId, note),
    findNoteByReference: async (conversationId, reference) =>
      (await port()).findNoteByReference(conversationId, reference),
    findContact: async (contactId) => (await port()).findContact(contactId),
    listNotes: async (conversationId) => (await port()).listNotes(conversationId),
    redactPart: async (conversationId, partId) => (await port()).redactPart(conversationId, partId),
  };
}
