import { type ConfigResult, loadConfig } from '@threadline/config';

/** The services' configuration as the CLI needs it: nothing only the API or the worker requires. */
export function loadCliConfig(env: Record<string, string | undefined>): ConfigResult {
  return loadConfig(env, 'cli');
}
