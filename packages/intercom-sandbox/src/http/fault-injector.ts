/** A fault the sandbox plays on matching API requests. */
export interface SandboxFault {
  /**
   * Answer with this status (429 carries Retry-After and X-RateLimit-* headers; 400 is Intercom's
   * `parameter_invalid`, for a refusal that no retry can fix).
   */
  status?: 400 | 429 | 500 | 502 | 503 | 504;
  /** For 429: the Retry-After value; default: the seconds left in the rate-limit window. */
  retryAfterSeconds?: number;
  /** Answer only after this long. */
  delayMs?: number;
  /**
   * Perform the real effect (e.g. create the note) before answering with the fault/delay, to simulate
   * "outcome unknown". Default: true for pure delays, false for error statuses.
   */
  applyEffect?: boolean;
  /** How many matching requests it applies to (default 1). */
  count?: number;
  /** Only requests with this HTTP method (case-insensitive); default any. */
  method?: string;
  /** Only requests whose path matches this regular expression source; default any API path. */
  pathPattern?: string;
}

/** A fault picked for one request, with its defaults filled in. */
export interface ActiveFault {
  status: SandboxFault['status'];
  retryAfterSeconds: number | undefined;
  delayMs: number;
  isEffectApplied: boolean;
}

interface QueuedFault {
  fault: SandboxFault;
  pathPattern: RegExp | undefined;
  remaining: number;
}

/** Holds injected faults in the order they were added and hands each out `count` times. */
export class FaultInjector {
  private queue: QueuedFault[] = [];

  /** Queues a fault. Throws when `pathPattern` is not a valid regular expression. */
  inject(fault: SandboxFault): void {
    const count = fault.count ?? 1;
    if (!Number.isInteger(count) || count < 1) throw new Error('count must be a positive integer');
    const pathPattern = fault.pathPattern === undefined ? undefined : new RegExp(fault.pathPattern);
    this.queue.push({ fault, pathPattern, remaining: count });
  }

  /** Takes one use of the first fault matching the request, if any. */
  take(method: string, path: string): ActiveFault | undefined {
    const index = this.queue.findIndex(
      ({ fault, pathPattern }) =>
        (fault.method === undefined || fault.method.toUpperCase() === method.toUpperCase()) &&
        (pathPattern === undefined || pathPattern.test(path)),
    );
    const queued = this.queue[index];
    if (!queued) return undefined;
    queued.remaining -= 1;
    if (queued.remaining === 0) this.queue.splice(index, 1);
    const { fault } = queued;
    return {
      status: fault.status,
      retryAfterSeconds: fault.retryAfterSeconds,
      delayMs: fault.delayMs ?? 0,
      isEffectApplied: fault.applyEffect ?? fault.status === undefined,
    };
  }

  /** Drops all queued faults. */
  clear(): void {
    this.queue = [];
  }
}
