/**
 * Runs Threadline's copies beside the proxy with bounded room: at most `maxRunning` at once, and
 * `maxWaiting` copies (`maxWaitingBytes` of bodies) waiting. Past that a copy is shed (the request still reached the
 * upstream): under more load than capture can record, forwarding keeps its pace instead of queueing
 * behind the copies.
 */
export class CopyQueue {
  private running = 0;
  private waitingBytes = 0;
  private readonly waiting: { bytes: number; run: () => Promise<void> }[] = [];
  private readonly idle = new Set<() => void>();
  shed = 0;

  constructor(private readonly limits: { maxRunning: number; maxWaiting: number; maxWaitingBytes: number }) {}

  /** Queues `run`; false when it was shed. */
  offer(bytes: number, run: () => Promise<void>): boolean {
    if (this.running < this.limits.maxRunning) {
      this.start(run);
      return true;
    }
    if (
      this.waiting.length >= this.limits.maxWaiting ||
      this.waitingBytes + bytes > this.limits.maxWaitingBytes
    ) {
      this.shed += 1;
      return false;
    }
    this.waiting.push({ bytes, run });
    this.waitingBytes += bytes;
    return true;
  }

  /** Resolves once nothing runs or waits (for close). */
  drained(): Promise<void> {
    if (this.running === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.add(resolve));
  }

  private start(run: () => Promise<void>): void {
    this.running += 1;
    void run()
      .catch(() => {})
      .finally(() => {
        this.running -= 1;
        const next = this.waiting.shift();
        if (next) {
          this.waitingBytes -= next.bytes;
          this.start(next.run);
        } else if (this.running === 0) {
          for (const resolve of this.idle) resolve();
          this.idle.clear();
        }
      });
  }
}
