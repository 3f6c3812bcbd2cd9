/** What the webhook edge remembers about Intercom's deliveries, for `threadline doctor --live`. */
export interface WebhookDeliverySeen {
  /** Whether the signature matched (every outcome but `bad_signature`). */
  isVerified: boolean;
  /** The notification's topic, when the signature matched and the body named one. */
  topic: string | undefined;
  at: Date;
}

/** The deployment's webhook history in short: the last of each kind, and the topics seen. */
export interface WebhookLogSummary {
  lastPingAt: string | null;
  lastVerifiedAt: string | null;
  lastVerifiedTopic: string | null;
  lastBadSignatureAt: string | null;
  /** Deliveries refused for their signature, ever (since the log was last cleared). */
  badSignatures: number;
  /** Each topic of a verified delivery, with when it was last seen. */
  topics: { topic: string; lastSeenAt: string }[];
}

/** Shared by every API replica (Redis), read by the CLI. */
export interface WebhookLog {
  record(delivery: WebhookDeliverySeen): Promise<void>;
  read(): Promise<WebhookLogSummary>;
}
