export {
  accessKeyIdOf,
  bearerKeyOf,
  type EnvironmentAccessKey,
  environmentAccessKeys,
  environmentKeyId,
  generateAccessKey,
  hashAccessKey,
  isSameKeyHash,
  legacyEnvironmentKeyId,
} from './access-key.js';
export {
  type AccessGrant,
  type AccessOutcome,
  type AuthenticateAccessDependencies,
  authenticateAccess,
  defaultAccessRateLimit,
} from './authenticate-access.js';
export {
  type IssueAccessKeyDependencies,
  type IssuedAccessKey,
  issueAccessKey,
} from './issue-access-key.js';
export {
  isProductAllowed,
  type LiveAction,
  type LiveActivity,
  type LiveActivityOutcome,
  type LiveActivityQuery,
  liveActionSchema,
  liveActivityInputShape,
  liveActivityLimits,
  liveActivityOutputShape,
  type ReadLiveActivityDependencies,
  readLiveActivity,
  toLiveAction,
} from './read-live-activity.js';
