import type { Workspace, WorkspaceDirectory } from '../ports/workspace-directory.js';

/**
 * Several directories as one, asked in order: the first that knows a product or an app id answers
 * (the environment workspace first, so PRODUCT_ID keeps its configured token). `list` names each
 * product once, in that order.
 */
export function combinedWorkspaceDirectory(...directories: WorkspaceDirectory[]): WorkspaceDirectory {
  const first = async <T>(ask: (directory: WorkspaceDirectory) => Promise<T | null>): Promise<T | null> => {
    for (const directory of directories) {
      const answer = await ask(directory);
      if (answer !== null) return answer;
    }
    return null;
  };
  return {
    byProduct: (productId) => first((directory) => directory.byProduct(productId)),
    byAppId: (appId) => first((directory) => directory.byAppId(appId)),
    async accessToken(productId) {
      // The token of the directory that owns the product, never another's of the same product id.
      for (const directory of directories) {
        if (await directory.byProduct(productId)) return directory.accessToken(productId);
      }
      return null;
    },
    async list() {
      const seen = new Set<string>();
      const workspaces: Workspace[] = [];
      for (const directory of directories) {
        for (const workspace of await directory.list()) {
          if (seen.has(workspace.productId)) continue;
          seen.add(workspace.productId);
          workspaces.push(workspace);
        }
      }
      return workspaces;
    },
  };
}

/** A directory that knows no workspace (no OAuth store configured). */
export const noWorkspaces: WorkspaceDirectory = {
  byProduct: async () => null,
  byAppId: async () => null,
  accessToken: async () => null,
  list: async () => [],
};
