import type { Logger } from '@threadline/observability';

/** What an operator should check when webhooks fail their signature. */
export const badSignatureHint =
  "INTERCOM_CLIENT_SECRET must be the app's Client secret (Developer Hub → your app → Basic information), " +
  'and nothing on the way may change the body; run `threadline doctor --live`';

/**
 * Webhook signature failures, logged at `warn` at most once a minute with how many there were: the
 * first of a quiet spell at once, the rest of that minute when it ends. A wrong secret then shows in
 * the logs without one line per delivery.
 */
export class SignatureFailureWarnings {
  private count = 0;
  private windowEndsAt = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly logger: Pick<Logger, 'warn'>,
    private readonly options: { intervalMs?: number; now?: () => number } = {},
  ) {}

  private get intervalMs(): number {
    return this.options.intervalMs ?? 60_000;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  record(): void {
    const now = this.now();
    if (now >= this.windowEndsAt) {
      this.logger.warn(
        { badSignatures: 1, hint: badSignatureHint },
        'intercom webhook refused: bad signature (1 in the last minute)',
      );
      this.windowEndsAt = now + this.intervalMs;
      return;
    }
    this.count += 1;
    this.timer ??= setTimeout(() => this.flush(), this.windowEndsAt - now).unref();
  }

  /** Logs the failures counted since the last line (the timer does it at the end of the minute). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.count === 0) return;
    const count = this.count;
    this.count = 0;
    this.logger.warn(
      { badSignatures: count, hint: badSignatureHint },
      `intercom webhook refused: bad signature (${count} more in the last minute)`,
    );
    this.windowEndsAt = this.now() + this.intervalMs;
  }

  /** Stops the timer (the app is closing). */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
