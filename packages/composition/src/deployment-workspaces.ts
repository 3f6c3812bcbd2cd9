import type { Config } from '@threadline/config';
import {
  combinedWorkspaceDirectory,
  EnvironmentWorkspace,
  noWorkspaces,
  type WorkspaceDirectory,
} from '@threadline/core';
import { IntercomAdapter } from '@threadline/intercom';

/** The PRODUCT_ID workspace of the configuration; `GET /me` fills what INTERCOM_APP_ID / _ADMIN_ID leave out. */
export function environmentWorkspace(config: Config, now: () => number = Date.now): EnvironmentWorkspace {
  return new EnvironmentWorkspace({
    productId: config.productId,
    accessToken: config.intercom.accessToken,
    adminId: config.intercom.adminId,
    appId: config.intercom.appId,
    apiBaseUrl: config.intercom.apiBaseUrl,
    startedAt: now(),
    async identify(accessToken) {
      const adapter = new IntercomAdapter({
        accessToken,
        baseUrl: config.intercom.apiBaseUrl,
        timeoutMs: config.intercom.timeoutMs,
      });
      const me = await adapter.identifyToken();
      return { adminId: me.adminId, appId: me.workspaceId };
    },
  });
}

/**
 * Every workspace the deployment serves: the environment's first (PRODUCT_ID keeps its configured
 * token however the store is filled), then the installed ones. An environment workspace whose app id
 * nothing can tell (no INTERCOM_APP_ID, no token) takes the app ids no installed workspace has.
 */
export function deploymentWorkspaces(
  environment: EnvironmentWorkspace,
  installed: WorkspaceDirectory = noWorkspaces,
): WorkspaceDirectory {
  const combined = combinedWorkspaceDirectory(environment, installed);
  if (!environment.isCatchAll) return combined;
  return {
    ...combined,
    async byAppId(appId) {
      return (await combined.byAppId(appId)) ?? (await environment.byProduct(environment.productId));
    },
  };
}
