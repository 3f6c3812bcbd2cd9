import type { CaptureQuotaDecision } from '../ports/capture-quota.js';

export type QuotaRefusal = Exclude<CaptureQuotaDecision, { isAllowed: true }>;

/**
 * The refusals this process answered, per client, until they end: a client over its limit is answered
 * again from memory, without a Redis read, for as long as Redis said it must wait. Bounded: past
 * `maxClients` the oldest entry goes (that client is then asked about in Redis again).
 */
export class RecentRefusals {
  private readonly until = new Map<string, { decision: QuotaRefusal; endsAt: number }>();

  constructor(
    private readonly maxClients = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  remember(client: string, decision: QuotaRefusal): void {
    this.until.delete(client);
    this.until.set(client, { decision, endsAt: this.now() + decision.retryAfterMs });
    if (this.until.size > this.maxClients) this.until.delete(this.until.keys().next().value as string);
  }

  /** The refusal still running for this client, with the time left, or null. */
  standing(client: string): QuotaRefusal | null {
    const entry = this.until.get(client);
    if (!entry) return null;
    const left = entry.endsAt - this.now();
    if (left <= 0) {
      this.until.delete(client);
      return null;
    }
    return { ...entry.decision, retryAfterMs: left };
  }
}
