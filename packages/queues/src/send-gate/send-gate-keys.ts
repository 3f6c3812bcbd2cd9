/** Intercom enforces its limit in 10-second windows. */
export const rateLimitWindowMs = 10_000;

/**
 * The keys of the send gate (and of the coalescing windows, which the gate's pressure widens), under
 * the hash tag of the first notes shard (`{P-notes}`) however many shards there are: one Redis Cluster
 * slot for the workspace's budget and pause.
 */
export function sendGateKeys(queueTag: string) {
  const base = `${queueTag}:send`;
  return {
    /** String: start (epoch ms) of a conversation's current coalescing window; expires with it. */
    window: (deduplicationId: string) => `${base}:window:${deduplicationId}`,
    /** String: the coalescing factor from the latest rate-limit headers (1–5); 10 s. */
    pressure: `${base}:pressure`,
    /** String: the widest factor, set by a 429 for 30 s. */
    pressureFloor: `${base}:pressure-floor`,
    /** Counter of calls in one 10 s window. */
    calls: (window: number) => `${base}:calls:${window}`,
    /** Hash: limit, remaining, resetAt of the latest response. */
    observed: `${base}:observed`,
    /** String: epoch ms until which a 429 stopped sending. */
    limitedUntil: `${base}:limited-until`,
    /** String (JSON `SendPause`): sending stopped after a 401/403, until an operator resumes. */
    paused: `${base}:paused`,
  };
}

export type SendGateKeys = ReturnType<typeof sendGateKeys>;
