export { configSchema, type ProcessRole } from './config-schema.js';
export {
  type Config,
  ConfigError,
  type ConfigResult,
  loadConfig,
  loadConfigOrThrow,
} from './load-config.js';
