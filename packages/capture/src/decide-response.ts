import { clientConfig } from './client-config.js';

/**
 * The answer to legacy `POST /decide?v=…` (posthog-js before `/flags`). `v=1` wants active flag
 * keys as a list; v2–v3 a flag map; v4 and later also the `flags` details map.
 */
export function decideResponse(version: number | undefined): Record<string, unknown> {
  const response: Record<string, unknown> = {
    ...clientConfig(),
    config: { enable_collect_everything: true },
    toolbarParams: {},
    isAuthenticated: false,
    featureFlags: version === 1 ? [] : {},
    featureFlagPayloads: {},
    errorsWhileComputingFlags: false,
  };
  if (version !== undefined && version >= 4) response.flags = {};
  return response;
}
