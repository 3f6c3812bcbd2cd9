import { type ConfigResult, loadConfig } from '@threadline/config';

/**
 * The services' configuration as the CLI needs it. The CLI never captures events, yet the schema
 * requires CAPTURE_API_KEY (the API and worker must not start without it); an unset key is replaced
 * by a placeholder that nothing in the CLI reads, so operators need not export a key they do not use.
 */
export function loadCliConfig(env: Record<string, string | undefined>): ConfigResult {
  const captureKeyIsSet = (env.CAPTURE_API_KEY ?? '').trim() !== '';
  return loadConfig(captureKeyIsSet ? env : { ...env, CAPTURE_API_KEY: 'unused-by-the-cli' });
}
