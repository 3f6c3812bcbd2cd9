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
}

/** An event as the capture decoder hands it over: trusted shape, untrusted content. */
export interface CapturedEvent {
  event: string;
  distinctId: string;
  /** Event time, already corrected for client clock skew. */
  timestamp: Date;
  properties: Record<string, unknown>;
  uuid?: string;
}
