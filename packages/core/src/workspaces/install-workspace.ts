import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { issueAccessKey } from '../access/issue-access-key.js';
import type { AccessKeyStore } from '../ports/access-key-store.js';
import type { Workspace } from '../ports/workspace-directory.js';
import type { IntercomOAuth, OAuthStateStore, WorkspaceRegistry } from '../ports/workspace-registry.js';

/** How long an install may take from the redirect to Intercom to the callback. */
export const installStateTtlSeconds = 600;

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function isSameHash(left: string, right: string): boolean {
  const a = Buffer.from(left, 'hex');
  const b = Buffer.from(right, 'hex');
  return a.length === 32 && b.length === 32 && timingSafeEqual(a, b);
}

/** A new public capture key for a workspace (posthog-js `token`), `tlc_` and 32 random bytes. */
export function generateCaptureKey(): string {
  return `tlc_${randomBytes(32).toString('base64url')}`;
}

/**
 * The REST base URL of a workspace: Intercom's regional host for its `/me` region when Threadline
 * talks to Intercom's US host, otherwise the configured one (a regional host, or the sandbox).
 */
export function regionalApiBaseUrl(configured: string, region: string | null): string {
  if (new URL(configured).hostname !== 'api.intercom.io') return configured;
  switch (region?.toUpperCase()) {
    case 'EU':
      return 'https://api.eu.intercom.io';
    case 'AU':
      return 'https://api.au.intercom.io';
    default:
      return configured;
  }
}

export interface StartedInstall {
  /** Goes to Intercom in the authorize URL. */
  state: string;
  /** Goes to the browser as an HttpOnly cookie; only its SHA-256 is stored with the state. */
  browserBinding: string;
}

/** Makes a single-use state bound to the browser that asked, valid 10 minutes. */
export async function startInstall(deps: { states: OAuthStateStore }): Promise<StartedInstall> {
  const state = randomBytes(32).toString('base64url');
  const browserBinding = randomBytes(32).toString('base64url');
  await deps.states.put(sha256(state), sha256(browserBinding), installStateTtlSeconds);
  return { state, browserBinding };
}

export interface InstallCallback {
  code: string | undefined;
  state: string | undefined;
  /** Intercom's `error` (`access_denied` when the admin pressed Deny). */
  error: string | undefined;
  /** The cookie set by `startInstall`, if the browser sent it. */
  browserBinding: string | undefined;
}

export type InstallOutcome =
  | {
      kind: 'installed';
      workspace: Workspace;
      /** Only on the first install: keys made now and shown once. A reinstall keeps the keys it had. */
      keys: { captureKey: string; mcpKey: string; mcpKeyId: string } | null;
    }
  | { kind: 'missing_cookie' }
  | { kind: 'missing_state' }
  /** Unknown, used already (a replay) or older than 10 minutes. */
  | { kind: 'unknown_state' }
  /** The state was made for another browser. */
  | { kind: 'wrong_browser' }
  | { kind: 'denied' }
  | { kind: 'missing_code' }
  /** Intercom refused the code: expired or used already. */
  | { kind: 'code_refused' }
  | { kind: 'intercom_unavailable' };

export interface CompleteInstallDependencies {
  states: OAuthStateStore;
  intercom: IntercomOAuth;
  workspaces: WorkspaceRegistry;
  accessKeys: Pick<AccessKeyStore, 'create'>;
  /** INTERCOM_API_BASE_URL: where the code was exchanged. */
  apiBaseUrl: string;
  now(): Date;
}

/**
 * The OAuth callback: checks the state against the browser's cookie (and spends it), exchanges the
 * code, asks `GET /me` which workspace it is, stores it, and on a first install makes its capture key
 * and an MCP key. Nothing secret (token, code, state, keys) is in an outcome but the keys to show.
 */
export async function completeInstall(
  callback: InstallCallback,
  deps: CompleteInstallDependencies,
): Promise<InstallOutcome> {
  if (!callback.state) return { kind: 'missing_state' };
  // The state is spent before the cookie is looked at, so a replay reads as a replay even in the
  // browser whose cookie the first callback cleared.
  const binding = await deps.states.take(sha256(callback.state));
  if (binding === null) return { kind: 'unknown_state' };
  if (!callback.browserBinding) return { kind: 'missing_cookie' };
  if (!isSameHash(binding, sha256(callback.browserBinding))) return { kind: 'wrong_browser' };
  if (callback.error !== undefined) return { kind: 'denied' };
  if (!callback.code) return { kind: 'missing_code' };

  const exchanged = await deps.intercom.exchangeCode(callback.code);
  if (exchanged.kind === 'refused') return { kind: 'code_refused' };
  if (exchanged.kind === 'unavailable') return { kind: 'intercom_unavailable' };
  const identity = await deps.intercom.identify(exchanged.accessToken);
  if (identity.kind === 'refused') return { kind: 'code_refused' };
  if (identity.kind === 'unavailable') return { kind: 'intercom_unavailable' };

  const now = deps.now();
  const { workspace, isNew } = await deps.workspaces.save(
    {
      appId: identity.appId,
      adminId: identity.adminId,
      apiBaseUrl: regionalApiBaseUrl(deps.apiBaseUrl, identity.region),
      accessToken: exchanged.accessToken,
    },
    now.getTime(),
  );
  if (!isNew) return { kind: 'installed', workspace, keys: null };
  const captureKey = generateCaptureKey();
  await deps.workspaces.addCaptureKey(workspace.productId, captureKey);
  const mcp = await issueAccessKey(workspace.productId, 'oauth install', {
    keys: deps.accessKeys,
    now: () => now,
  });
  return {
    kind: 'installed',
    workspace,
    keys: { captureKey, mcpKey: mcp.key, mcpKeyId: mcp.record.id },
  };
}
