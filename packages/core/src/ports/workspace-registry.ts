import type { Workspace, WorkspaceDirectory } from './workspace-directory.js';

/** What an install knows about a workspace, from the code exchange and `GET /me`. */
export interface WorkspaceInstall {
  appId: string;
  adminId: string;
  apiBaseUrl: string;
  /** The workspace's Intercom token; sealed before it is stored, never logged. */
  accessToken: string;
}

/** The installed workspaces, with the writes an install makes. */
export interface WorkspaceRegistry extends WorkspaceDirectory {
  /**
   * Stores an install. A workspace installed before (same app id) keeps its product id, creation time,
   * keys and data; its token, admin and API base URL are replaced.
   */
  save(install: WorkspaceInstall, now: number): Promise<{ workspace: Workspace; isNew: boolean }>;
  /** Adds a capture key for the product (only its SHA-256 is kept). */
  addCaptureKey(productId: string, captureKey: string): Promise<void>;
}

/** Pending OAuth installs: each state once, bound to the browser that started it. */
export interface OAuthStateStore {
  /** Keeps `bindingHash` (SHA-256 of the browser's cookie) under the state's SHA-256 for `ttlSeconds`. */
  put(stateHash: string, bindingHash: string, ttlSeconds: number): Promise<void>;
  /** Takes the state away (single use) and answers its binding, or null when unknown, used or expired. */
  take(stateHash: string): Promise<string | null>;
}

export type CodeExchange =
  | { kind: 'token'; accessToken: string }
  /** Intercom refused the code: expired, used already, or not for this app. */
  | { kind: 'refused' }
  /** Intercom did not answer in time, answered 5xx, or could not be reached. */
  | { kind: 'unavailable' };

export type WorkspaceIdentity =
  | { kind: 'identified'; appId: string; adminId: string; region: string | null }
  | { kind: 'refused' }
  | { kind: 'unavailable' };

/** The two calls of Intercom's OAuth install: exchange the code, then ask who the token is. */
export interface IntercomOAuth {
  exchangeCode(code: string): Promise<CodeExchange>;
  identify(accessToken: string): Promise<WorkspaceIdentity>;
}
