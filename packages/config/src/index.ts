export { configSchema, type ProcessRole } from './config-schema.js';
export { type Config, type ConfigResult, loadConfig, loadConfigOrExit } from './load-config.js';
export type { UpstreamHosts } from './upstream-settings.js';
