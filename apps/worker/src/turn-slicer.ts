import type { SlicedResults, WorkSlicer } from '@threadline/core';

/**
 * The worker's WorkSlicer: items one after another, yielding the event loop every `sliceMs` (so
 * BullMQ's lock renewals and the spool's reads go on), each list stopping at its CPU budget. The
 * API's fair round robin between requests is not needed here: no request waits on the worker.
 */
export class TurnSlicer implements WorkSlicer {
  constructor(
    private readonly sliceMs = 5,
    private readonly now: () => number = () => performance.now(),
  ) {}

  async map<T, R>(items: readonly T[], work: (item: T) => R, budgetMs: number): Promise<SlicedResults<T, R>> {
    const results = new Map<T, R>();
    let spentMs = 0;
    let sliceStarted = this.now();
    for (const item of items) {
      const before = this.now();
      results.set(item, work(item));
      const after = this.now();
      spentMs += after - before;
      if (spentMs > budgetMs) break;
      if (after - sliceStarted > this.sliceMs) {
        await new Promise((resolve) => setImmediate(resolve));
        sliceStarted = this.now();
      }
    }
    return { results, count: results.size };
  }
}
