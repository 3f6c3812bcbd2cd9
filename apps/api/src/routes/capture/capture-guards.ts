import { isIPv6 } from 'node:net';
import type { SlicedResults, WorkSlicer } from '@threadline/core';

/**
 * The client a per-IP limit counts: an IPv4 address, or the /64 of an IPv6 one (one subscriber
 * usually holds a whole /64, so counting single addresses would give one client 2^64 quotas).
 */
export function captureClientOf(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped) return mapped[1] as string;
  if (!isIPv6(ip)) return ip;
  const [head = '', tail = ''] = ip.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::')
    ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

interface SliceJob {
  items: readonly unknown[];
  work(item: unknown): unknown;
  results: Map<unknown, unknown>;
  spentMs: number;
  budgetMs: number;
  finish(): void;
}

/**
 * Describes the events of every capture request in flight, round robin, in slices of at most
 * `sliceMs` of CPU per turn of the event loop, whatever the number of requests: other requests
 * (webhooks, small captures, health checks) wait at most one slice. Each request stops once it has
 * spent its own budget describing (waits between slices do not count): one hostile request can
 * neither hold the loop nor take unbounded CPU.
 */
export class SlicedDescriber implements WorkSlicer {
  private readonly jobs: SliceJob[] = [];
  private next = 0;
  private isScheduled = false;

  constructor(
    private readonly sliceMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  map<T, R>(items: readonly T[], work: (item: T) => R, budgetMs: number): Promise<SlicedResults<T, R>> {
    if (items.length === 0) return Promise.resolve({ results: new Map(), count: 0 });
    return new Promise((resolve) => {
      const results = new Map<T, R>();
      this.jobs.push({
        items,
        work: work as (item: unknown) => unknown,
        results: results as Map<unknown, unknown>,
        spentMs: 0,
        budgetMs,
        finish: () => resolve({ results, count: results.size }),
      });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.isScheduled) return;
    this.isScheduled = true;
    setImmediate(() => {
      this.isScheduled = false;
      this.runSlice();
    });
  }

  private runSlice(): void {
    const sliceStarted = this.now();
    let before = sliceStarted;
    while (this.jobs.length > 0 && before - sliceStarted <= this.sliceMs) {
      this.next %= this.jobs.length;
      const job = this.jobs[this.next] as SliceJob;
      const item = job.items[job.results.size];
      job.results.set(item, job.work(item));
      const after = this.now();
      job.spentMs += after - before;
      before = after;
      if (job.results.size === job.items.length || job.spentMs > job.budgetMs) {
        this.jobs.splice(this.next, 1);
        job.finish();
      } else {
        this.next += 1;
      }
    }
    if (this.jobs.length > 0) this.schedule();
  }
}
