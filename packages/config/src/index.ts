export { configSchema, type ProcessRole } from './config-schema.js';
export {
  type ConfigSourceKind,
  type ConfigSources,
  describeConfigSources,
  findProjectRoot,
  readConfigSources,
  startDefaultsFile,
  writeStartDefaults,
} from './config-sources.js';
export {
  type Config,
  ConfigError,
  type ConfigResult,
  loadConfig,
  loadConfigOrThrow,
} from './load-config.js';
export type { UpstreamHosts } from './upstream-settings.js';
