export { CachedCaptureKeys, type CachedCaptureKeysOptions } from './cached-capture-keys.js';
export { combinedWorkspaceDirectory, noWorkspaces } from './combined-workspace-directory.js';
export {
  EnvironmentWorkspace,
  type EnvironmentWorkspaceSettings,
  type TokenIdentity,
} from './environment-workspace.js';
export {
  type CompleteInstallDependencies,
  completeInstall,
  generateCaptureKey,
  type InstallCallback,
  type InstallOutcome,
  installStateTtlSeconds,
  regionalApiBaseUrl,
  type StartedInstall,
  startInstall,
} from './install-workspace.js';
