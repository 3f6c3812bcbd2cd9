/** Claims a notification id once across every API replica (`SET NX` + TTL). */
export interface NotificationClaims {
  /** True when this caller is the first to claim the id. */
  claim(notificationId: string, ttlSeconds: number): Promise<boolean>;
  extend(notificationId: string, ttlSeconds: number): Promise<void>;
  release(notificationId: string): Promise<void>;
}
