export { type CaptureConfiguration, captureConfiguration } from './capture-settings.js';
export { deploymentWorkspaces, environmentWorkspace } from './deployment-workspaces.js';
export {
  connectRedis,
  type Deployment,
  emailFingerprintKey,
  openDeployment,
  type RedisConnectOptions,
  userStoreSettings,
} from './open-deployment.js';
