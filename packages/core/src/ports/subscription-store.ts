/** A push webhook subscription: where a product's new actions are POSTed, and with which secret. */
export interface Subscription {
  id: string;
  productId: string;
  url: string;
  /** `whsec_<base64>`: the Standard Webhooks signing secret, shown to the operator once. */
  secret: string;
  createdAt: string;
  /** Set once deliveries failed for PUSH_RETRY_FOR_MS: nothing more is sent. */
  disabled: { reason: string; at: string } | null;
}

/** Push subscriptions and each one's place in its product's feed. */
export interface SubscriptionStore {
  /** Stores it with its cursor at `cursor` (the feed's newest id: only later actions are pushed). */
  add(subscription: Subscription, cursor: string): Promise<void>;
  get(id: string): Promise<Subscription | null>;
  list(): Promise<Subscription[]>;
  /** Whether it existed. */
  remove(id: string): Promise<boolean>;
  disable(id: string, reason: string, at: string): Promise<void>;
  cursorOf(id: string): Promise<string | null>;
  setCursor(id: string, feedId: string): Promise<void>;
  /** One batch former per subscription across workers: `SET NX PX`. */
  tryLock(id: string, holder: string, ttlMs: number): Promise<boolean>;
  unlock(id: string, holder: string): Promise<void>;
}
