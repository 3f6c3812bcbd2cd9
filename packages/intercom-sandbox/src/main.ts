#!/usr/bin/env tsx
import { createIntercomSandbox } from './create-intercom-sandbox.js';

const host = process.env.SANDBOX_HOST ?? '127.0.0.1';
const port = Number(process.env.SANDBOX_PORT ?? 8090);
const token = process.env.SANDBOX_TOKEN ?? 'sandbox-token';
// The API's webhook URL(s), comma separated: the only targets of the control routes' signed webhooks.
const webhookUrls = (process.env.SANDBOX_WEBHOOK_URL ?? '')
  .split(',')
  .map((url) => url.trim())
  .filter(Boolean);
const rateLimitText = process.env.SANDBOX_RATE_LIMIT_PER_WINDOW;
const rateLimitPerWindow =
  rateLimitText === undefined || rateLimitText === '' ? undefined : Number(rateLimitText);

// Workspaces beside the main one, each with its own app id, admin, data and rate limit (OAuth installs
// pick one on the authorize page). Default: two.
const extraWorkspaces = (process.env.SANDBOX_WORKSPACES ?? 'sandbox-two,sandbox-three')
  .split(',')
  .map((appId) => appId.trim())
  .filter(Boolean);
const oauthClientId = process.env.SANDBOX_OAUTH_CLIENT_ID ?? 'sandbox-client-id';
const oauthClientSecret = process.env.SANDBOX_OAUTH_CLIENT_SECRET ?? 'sandbox-client-secret';

const problems = [
  ...(Number.isInteger(port) && port >= 0 && port <= 65535
    ? []
    : ['SANDBOX_PORT: must be a port number (0-65535)']),
  ...(rateLimitPerWindow === undefined || (Number.isInteger(rateLimitPerWindow) && rateLimitPerWindow > 0)
    ? []
    : ['SANDBOX_RATE_LIMIT_PER_WINDOW: must be a positive integer']),
  ...(token === '' ? ['SANDBOX_TOKEN: must not be empty'] : []),
  ...extraWorkspaces
    .filter((appId) => !/^[a-z0-9-]{1,40}$/.test(appId))
    .map((appId) => `SANDBOX_WORKSPACES: ${appId} is not an app id (a-z, 0-9, -)`),
  ...webhookUrls.filter((url) => !URL.canParse(url)).map((url) => `SANDBOX_WEBHOOK_URL: ${url} is not a URL`),
];
if (problems.length > 0) {
  for (const problem of problems) console.error(problem);
  process.exit(1);
}

const sandbox = await createIntercomSandbox({
  token,
  workspaces: extraWorkspaces.map((appId) => ({ appId })),
  oauth: { clientId: oauthClientId, clientSecret: oauthClientSecret },
  ...(webhookUrls.length > 0 ? { webhookUrls } : {}),
  ...(rateLimitPerWindow === undefined ? {} : { rateLimitPerWindow }),
});
const url = await sandbox.listen({ port, host });
console.log(`Intercom sandbox listening on ${url} (page: ${url}/)`);

let isStopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (isStopping) return;
    isStopping = true;
    sandbox.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('Intercom sandbox failed to close', error);
        process.exit(1);
      },
    );
  });
}
