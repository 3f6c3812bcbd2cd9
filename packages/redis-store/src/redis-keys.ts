/**
 * Every Redis key Threadline writes. Ids from outside are URI-encoded so that a `{`, `}` or `:` in
 * them can neither break a Redis Cluster hash tag nor collide with another key. Keys used together
 * in one transaction share a hash tag: `{u:…}` for a user, `{c:…}` for a conversation.
 */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  private user(productId: string, userId: string): string {
    return `${this.prefix}:{u:${encodeURIComponent(productId)}:${encodeURIComponent(userId)}}`;
  }

  private conversation(conversationId: string): string {
    return `${this.prefix}:{c:${encodeURIComponent(conversationId)}}`;
  }

  /** Stream of every new action of a product (user id + action), kept `STREAM_RETENTION_S`: the live stream's and push webhooks' source. */
  productFeed(productId: string): string {
    return `${this.prefix}:{f:${encodeURIComponent(productId)}}:feed`;
  }

  /** Sorted set: the open live streams of one access key (member: stream id, score: lease end, ms). */
  streamLeases(keyId: string): string {
    return `${this.prefix}:{sl:${encodeURIComponent(keyId)}}:streams`;
  }

  /** Hash: push subscription id → JSON record (URL, product, secret, state). */
  subscriptions(): string {
    return `${this.prefix}:{subs}:subscriptions`;
  }

  /** Hash: push subscription id → the last feed id put into a batch. */
  subscriptionCursors(): string {
    return `${this.prefix}:{subs}:cursors`;
  }

  /** String: which worker is forming batches for a subscription right now. */
  subscriptionLock(subscriptionId: string): string {
    return `${this.prefix}:{subs}:lock:${encodeURIComponent(subscriptionId)}`;
  }

  /** Stream of the user's actions (capped, trimmed by age). */
  actions(productId: string, userId: string): string {
    return `${this.user(productId, userId)}:actions`;
  }

  /**
   * Stream of an anonymous id's unverified actions, kept apart from its history (no note or tool
   * reads it) until a verified `$identify` moves them (`CAPTURE_IDENTITY=require`).
   */
  pendingActions(productId: string, userId: string): string {
    return `${this.user(productId, userId)}:pending-actions`;
  }

  /** String `1`: the id is a known user (an event said or proved so, or an `$identify` named it). */
  identified(productId: string, userId: string): string {
    return `${this.user(productId, userId)}:identified`;
  }

  /** String: the user id an anonymous id was merged into by `$identify`. */
  identifiedAs(productId: string, userId: string): string {
    return `${this.user(productId, userId)}:identified-as`;
  }

  /** Set of small integers: the user's client event ids seen in one dedupe bucket. */
  seenEvents(productId: string, userId: string, bucket: number): string {
    return `${this.user(productId, userId)}:seen:${bucket}`;
  }

  /** Set of the user's linked conversation ids (open or paused). */
  userConversations(productId: string, userId: string): string {
    return `${this.user(productId, userId)}:conversations`;
  }

  /** Hash: the conversation's link to a user. */
  link(conversationId: string): string {
    return `${this.conversation(conversationId)}:link`;
  }

  /** Hash: the conversation's lifecycle record (`state`, `at`); after the end, a tombstone for a week. */
  lifecycle(conversationId: string): string {
    return `${this.conversation(conversationId)}:lifecycle`;
  }

  /** Hash: a conversation waiting for its contact to get an `external_id` (a lead), for `contact.merged`. */
  awaiting(conversationId: string): string {
    return `${this.conversation(conversationId)}:awaiting`;
  }

  /** Set of the conversation ids linked (or waiting) through one Intercom contact. */
  contactConversations(contactId: string): string {
    return `${this.prefix}:{k:${encodeURIComponent(contactId)}}:conversations`;
  }

  /** Hash: delivery cursor, next number, pending note, catch-up mark. */
  delivery(conversationId: string): string {
    return `${this.conversation(conversationId)}:delivery`;
  }

  /** List of notes written (JSON), oldest first. */
  notes(conversationId: string): string {
    return `${this.conversation(conversationId)}:notes`;
  }

  /** One delivery in flight per conversation. */
  deliveryLock(conversationId: string): string {
    return `${this.conversation(conversationId)}:lock`;
  }

  /** Hash: the conversation's summary state, `current` and `pending` (JSON). */
  summary(conversationId: string): string {
    return `${this.conversation(conversationId)}:summary`;
  }

  /** Set: parts of the pending summary already redacted. */
  summaryRedacted(conversationId: string): string {
    return `${this.conversation(conversationId)}:summary-redacted`;
  }

  /** One summary in flight per conversation. */
  summaryLock(conversationId: string): string {
    return `${this.conversation(conversationId)}:summary-lock`;
  }

  /** Prefix of the public capture key's per-client counters (`<prefix>:<client>`, one key each). */
  captureQuota(limit: 'events' | 'new-users'): string {
    return `${this.prefix}:capture-quota:${limit}`;
  }

  /** A webhook notification id, claimed once. */
  notification(notificationId: string): string {
    return `${this.prefix}:{n:${encodeURIComponent(notificationId)}}`;
  }

  /** User id behind an email fingerprint (only with LINK_BY_EMAIL). */
  emailFingerprint(fingerprint: string): string {
    return `${this.prefix}:{e:${fingerprint}}`;
  }

  /** Hash: the last ping, verified delivery and bad signature the webhook edge saw, for `doctor --live`. */
  webhookLog(): string {
    return `${this.prefix}:{ops}:webhooks`;
  }

  /** Hash: each topic of a verified webhook delivery → when it was last seen. */
  webhookTopics(): string {
    return `${this.prefix}:{ops}:webhook-topics`;
  }

  /** Stream of conversations that could not be linked, for operators. */
  unlinked(): string {
    return `${this.prefix}:{ops}:unlinked`;
  }

  /** Hash: access keys made with the CLI, by id (JSON: product, name, SHA-256 of the key, created). */
  accessKeys(): string {
    return `${this.prefix}:{access}:keys`;
  }

  /** Hash: when each access key (CLI or environment) was last used, by id. */
  accessKeysLastUsed(): string {
    return `${this.prefix}:{access}:last-used`;
  }

  /** String: the deployment's secret for naming `MCP_API_KEYS` keys (made once, never expires). */
  accessKeyIdSecret(): string {
    return `${this.prefix}:{access}:key-id-secret`;
  }

  /** Counter of one bucket's requests in one fixed rate-limit window. */
  rateLimit(bucket: string, window: number): string {
    return `${this.prefix}:{rl:${encodeURIComponent(bucket)}}:${window}`;
  }

  /** Hash: installed workspace's product id → JSON record (app id, admin, API base URL, times; no token). */
  workspaces(): string {
    return `${this.prefix}:{ws}:workspaces`;
  }

  /** Hash: product id → the workspace's Intercom token, sealed (AES-256-GCM, `v1.<key id>.…`). */
  workspaceTokens(): string {
    return `${this.prefix}:{ws}:tokens`;
  }

  /** Hash: Intercom app id (`app.id_code`) → product id. */
  workspaceAppIds(): string {
    return `${this.prefix}:{ws}:app-ids`;
  }

  /** Hash: product id → when the workspace last had a webhook or a delivery (ms). */
  workspaceLastSeen(): string {
    return `${this.prefix}:{ws}:last-seen`;
  }

  /** Hash: SHA-256 of a workspace's capture key → product id. */
  workspaceCaptureKeys(): string {
    return `${this.prefix}:{ws}:capture-keys`;
  }

  /** String: an OAuth install's pending state, by the SHA-256 of the state (single use, 10 minutes). */
  oauthState(stateHash: string): string {
    return `${this.prefix}:{os:${stateHash}}`;
  }
}
