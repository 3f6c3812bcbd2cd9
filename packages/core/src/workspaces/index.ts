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
