import type { SandboxStore } from '../state/sandbox-store.js';
import type { FaultInjector } from './fault-injector.js';
import type { RateLimitWindow } from './rate-limit-window.js';
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

/** Everything the route plugins share. */
export interface SandboxContext {
  token: string;
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
  /** Forgets contacts, conversations, faults, recorded requests and the rate-limit window. */
  reset(): void;
}
