/** Intercom enforces its limit in 10-second windows. */
export const rateLimitWindowMs = 10_000;

/**
 * The keys of the send gate (and of the coalescing windows, which the gate's pressure widens), under
 * the hash tag of the first notes shard (`{P-notes}`) however many shards there are: one Redis Cluster
 * slot for every workspace's budget and pause (a coalescing script reads a window and a pressure).
 * `workspace`: the segment of an installed workspace (`w:<product>`, see `workspaceSendGateKeys`);
 * without it the keys are the PRODUCT_ID workspace's, the same as before there were several.
 */
export function sendGateKeys(queueTag: string, workspace?: string) {
  const base = `${queueTag}:send`;
  const own = workspace === undefined ? base : `${base}:${workspace}`;
  return {
    /** String: start (epoch ms) of a conversation's current coalescing window; expires with it. */
    window: (deduplicationId: string) => `${base}:window:${deduplicationId}`,
    /** String: the coalescing factor from the latest rate-limit headers (1–5); 10 s. */
    pressure: `${own}:pressure`,
    /** String: the widest factor, set by a 429 for 30 s. */
    pressureFloor: `${own}:pressure-floor`,
    /** Counter of calls in one 10 s window. */
    calls: (window: number) => `${own}:calls:${window}`,
    /** Hash: limit, remaining, resetAt of the latest response. */
    observed: `${own}:observed`,
    /** String: epoch ms until which a 429 stopped sending. */
    limitedUntil: `${own}:limited-until`,
    /** String (JSON `SendPause`): sending stopped after a 401/403, until an operator resumes. */
    paused: `${own}:paused`,
  };
}

export type SendGateKeys = ReturnType<typeof sendGateKeys>;

/**
 * The gate keys of one product's workspace: PRODUCT_ID's keep the keys of a single-workspace
 * deployment (no migration), every other product's carry `w:<product>` (escaped like a job id).
 */
export function workspaceSendGateKeys(
  queueTag: string,
  productId: string,
  environmentProductId: string,
  idPart: (id: string) => string,
): SendGateKeys {
  return productId === environmentProductId
    ? sendGateKeys(queueTag)
    : sendGateKeys(queueTag, `w:${idPart(productId)}`);
}
