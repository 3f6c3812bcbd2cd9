import type { SandboxStore } from '../state/sandbox-store.js';
import type { FaultInjector } from './fault-injector.js';
import type { RateLimitWindow } from './rate-limit-window.js';
import type { SandboxWorkspaces } from './sandbox-workspaces.js';
import type { TokenPermissions } from './token-permissions.js';
import type { WebhookTargetPolicy } from './webhook-targets.js';

/** One API request as the sandbox saw it. */
export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, unknown>;
  status: number;
  /** The parsed JSON request body, or `null`. */
  body: unknown;
  /** Epoch milliseconds when the answer was sent. */
  at: number;
}

/** Everything the route plugins share. `store`, `appId` and `rateLimit` are the main workspace's. */
export interface SandboxContext {
  token: string;
  /** Every workspace and which token acts on which. */
  workspaces: SandboxWorkspaces;
  /** Every token the workspace knows, with its permissions (the main `token` holds them all). */
  permissions: TokenPermissions;
  appId: string;
  store: SandboxStore;
  faults: FaultInjector;
  rateLimit: RateLimitWindow;
  recordedRequests: RecordedRequest[];
  /** Whether the control routes may send a signed webhook to this URL. */
  isAllowedWebhookUrl: WebhookTargetPolicy;
  /** Aborted on close so that injected delays do not hold the server open. */
  shutdownSignal: AbortSignal;
  /** Forgets contacts, conversations, faults, recorded requests, tokens issued and rate-limit windows. */
  reset(): void;
  /** Adds something `reset` forgets too. */
  onReset(forget: () => void): void;
  /** Makes every outstanding OAuth code expired (answers how many); set by the OAuth routes. */
  expireCodes(): number;
}
