/** Asks for note deliveries. The adapter coalesces them (one note per burst of actions). */
export interface DeliveryScheduler {
  /**
   * Asks for a delivery of the conversation's new actions: a trailing-edge debounce of
   * NOTE_COALESCE_MS (each request pushes the waiting delivery back), never later than
   * NOTE_MAX_WAIT_MS after the window's first request; both widen under rate pressure.
   * `immediate`: the first note of a new link, which waits for nothing. `productId`: the
   * conversation's product when the caller knows it (its workspace's pressure applies; else looked up).
   */
  request(conversationId: string, options?: { immediate?: boolean; productId?: string }): Promise<void>;
}
