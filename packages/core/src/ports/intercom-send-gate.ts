/** What Intercom's `X-RateLimit-*` headers said on one response. */
export interface RateLimitObservation {
  limit: number;
  remaining: number;
  /** Epoch ms at which the window ends. */
  resetAtMs: number;
}

/** Why the workspace's sending is stopped until an operator acts (401/403). */
export interface SendPause {
  code: string;
  message: string;
  at: string;
}

export type SendPermission = { kind: 'go' } | { kind: 'wait'; ms: number } | { kind: 'paused' };

/**
 * Workspace-wide control of Intercom calls, shared by every worker (one access token, one budget):
 * the call budget per window, the wait after a 429, the pause after a 401/403.
 */
export interface IntercomSendGate {
  /** Counts one call against the budget, or says why it must not be made now. */
  beforeCall(): Promise<SendPermission>;
  /** Records a response's rate-limit headers; returns the coalescing factor they imply (1–5). */
  observe(observation: RateLimitObservation): Promise<number>;
  /** A 429: no call from any worker until `waitMs` has passed. */
  rateLimited(waitMs: number): Promise<void>;
  /** A 401/403: stops the workspace's sending. Idempotent; keeps the first reason; true the first time. */
  pause(reason: Omit<SendPause, 'at'>): Promise<boolean>;
  /** Why sending is stopped, or null. */
  paused(): Promise<SendPause | null>;
  /** What `threadline resume` does: sending starts again. */
  resume(): Promise<void>;
}

/**
 * The gate's own refusal of a call that was never made: `wait` (the window's budget is used up, or a
 * 429 is being waited out; with the time to wait) or `paused` (after a 401/403). Not an Intercom answer.
 */
export class SendGateRefusal extends Error {
  readonly reason: 'wait' | 'paused';
  /** When to try again (`wait` only). */
  readonly retryAfterMs: number | undefined;

  constructor(reason: 'wait' | 'paused', retryAfterMs?: number) {
    super(
      reason === 'wait'
        ? 'Intercom calls wait: the budget of this window is used up or a 429 is being waited out'
        : 'sending to Intercom is paused (see `threadline status`)',
    );
    this.name = 'SendGateRefusal';
    this.reason = reason;
    this.retryAfterMs = retryAfterMs;
  }
}
