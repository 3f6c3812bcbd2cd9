import { clientConfig } from './client-config.js';

/**
 * The answer to `POST /flags?v=2`: no flags. `flags` is what makes posthog-js treat it as a v2
 * answer (it derives `featureFlags` from it); `featureFlags`/`featureFlagPayloads` serve older
 * clients. posthog-js asks with `config=true` and, unless it loaded a remote config, applies
 * this answer as its config, hence the config keys.
 */
export function flagsResponse(): Record<string, unknown> {
  return {
    ...clientConfig(),
    flags: {},
    featureFlags: {},
    featureFlagPayloads: {},
    errorsWhileComputingFlags: false,
  };
}
