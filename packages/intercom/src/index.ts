export { classifyIntercomError, retryAfterMs } from './classify-intercom-error.js';
export { IntercomAdapter, type IntercomAdapterOptions } from './intercom-adapter.js';
export { IntercomOAuthClient, type IntercomOAuthClientOptions } from './intercom-oauth-client.js';
export { type RateLimitHeaders, readRateLimitHeaders } from './rate-limit-headers.js';
export {
  defaultMaxWorkspaceClients,
  type WorkspaceClientSettings,
  WorkspaceClients,
} from './workspace-clients.js';
