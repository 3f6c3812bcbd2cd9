/** Why a capture client was refused for a while. */
export type CaptureQuotaReason = 'ip_events' | 'ip_new_users';

export type CaptureQuotaDecision =
  | { isAllowed: true }
  | { isAllowed: false; reason: CaptureQuotaReason; retryAfterMs: number };

/**
 * Per-client limits of the public capture key, shared by every API replica: events per minute and
 * new distinct ids per hour, counted per client (an IPv4 address or an IPv6 /64).
 */
export interface CaptureQuota {
  /** Counts a request's events; refuses the request when they take the client over the minute's limit. */
  takeEvents(client: string, events: number): Promise<CaptureQuotaDecision>;
  /**
   * Counts the distinct ids a stored request created; answers a refusal once the client has reached
   * the hour's limit (for its next requests: this one is stored).
   */
  addNewUsers(client: string, users: number): Promise<CaptureQuotaDecision>;
}
