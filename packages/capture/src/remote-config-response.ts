import { clientConfig } from './client-config.js';

/**
 * The JSON answer to `GET /array/:token/config`, which posthog-js fetches at start when the
 * token's `config.js` script is not available.
 */
export function remoteConfigResponse(token: string): Record<string, unknown> {
  return { token, ...clientConfig() };
}
