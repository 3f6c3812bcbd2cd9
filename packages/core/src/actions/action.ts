/** What kind of thing a user did. Stable: it is part of the MCP tool's output. */
export type ActionType =
  | 'pageview'
  | 'click'
  | 'submit'
  | 'change'
  | 'rageclick'
  | 'deadclick'
  | 'error'
  | 'identify'
  | 'custom';

/**
 * One short, human-readable, already-redacted thing a user did in the product.
 * Only actions are stored; raw events never are.
 */
export interface Action {
  /** When it happened (ISO 8601, UTC), as PostHog computes event time. */
  at: string;
  type: ActionType;
  /** One line, e.g. `Clicked "Upgrade" button on /billing`. Redacted, not HTML-escaped. */
  description: string;
  /** Path of the page it happened on, query and fragment removed (except allowlisted keys). */
  page?: string;
  sessionId?: string;
  /** How many identical consecutive actions this one stands for (absent means 1). */
  repeat?: number;
  /**
   * `false` when identity checking was on (`CAPTURE_IDENTITY=mark`) and the event carried no valid
   * proof that it came from this user; absent when it did, or when nothing was checked.
   */
  verified?: false;
}

/** An event as the capture decoder hands it over: trusted shape, untrusted content. */
export interface CapturedEvent {
  event: string;
  distinctId: string;
  /** Event time, already corrected for client clock skew. */
  timestamp: Date;
  properties: Record<string, unknown>;
  uuid?: string;
  /**
   * `true` when the event carried a valid `$user_hash` or `$user_jwt` for its distinct id (checked by
   * capture only with an identity secret; the proof itself is dropped there).
   */
  verified?: boolean;
}
