export { combinedWorkspaceDirectory, noWorkspaces } from './combined-workspace-directory.js';
export {
  EnvironmentWorkspace,
  type EnvironmentWorkspaceSettings,
  type TokenIdentity,
} from './environment-workspace.js';
