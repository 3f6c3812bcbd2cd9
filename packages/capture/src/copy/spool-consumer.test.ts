import type {
  CaptureCounts,
  CaptureOutcome,
  CaptureSpool,
  SpoolBacklog,
  SpoolEntry,
  SpooledCopy,
} from '@threadline/core';
import { describe, expect, it } from 'vitest';
import type { CopyRecord } from './record-spooled-copy.js';
import { type SpoolEntryOutcome, startSpoolConsumer } from './spool-consumer.js';

/** The spool's contract in memory: entries taken once, pending until done, reclaimable when idle. */
class InMemorySpool implements CaptureSpool {
  private next = 0;
  readonly waiting: SpoolEntry[] = [];
  readonly pending = new Map<string, SpoolEntry>();
  readonly doneIds: string[] = [];

  async add(copy: SpooledCopy): Promise<void> {
    this.next += 1;
    this.waiting.push({ id: `${this.next}-0`, copy, deliveries: 1 });
  }
  async take(_consumer: string, count: number, blockMs: number): Promise<SpoolEntry[]> {
    const taken = this.waiting.splice(0, count);
    if (taken.length === 0) await new Promise((resolve) => setTimeout(resolve, blockMs));
    for (const entry of taken) this.pending.set(entry.id, entry);
    return taken;
  }
  async reclaim(): Promise<SpoolEntry[]> {
    const again = [...this.pending.values()].map((entry) => ({ ...entry, deliveries: entry.deliveries + 1 }));
    for (const entry of again) this.pending.set(entry.id, entry);
    return again;
  }
  async done(ids: readonly string[]): Promise<void> {
    for (const id of ids) this.pending.delete(id);
    this.doneIds.push(...ids);
  }
  async backlog(): Promise<SpoolBacklog> {
    return { waiting: this.waiting.length, inFlight: this.pending.size };
  }
}

const counts: CaptureCounts = {
  stored: 1,
  dropped: 0,
  duplicates: 0,
  expired: 0,
  unverified: 0,
  skipped: 0,
  overBudget: 0,
};
const accepted: CaptureOutcome = { kind: 'accepted', counts };
const refused = (reason: 'unknown_api_key' | 'redis_unavailable'): CaptureOutcome => ({
  kind: 'refused',
  reason,
  message: reason,
  counts,
});

const copyOf = (path: string): SpooledCopy => ({
  source: 'posthog',
  method: 'POST',
  path,
  query: '',
  client: '203.0.113.1',
  receivedAt: 0,
  body: Buffer.from('[]'),
});

async function run(
  spool: InMemorySpool,
  record: (copy: SpooledCopy) => Promise<CopyRecord>,
  until: () => boolean,
) {
  const outcomes: [string, SpoolEntryOutcome][] = [];
  const consumer = startSpoolConsumer({
    spool,
    record,
    consumer: 'test',
    blockMs: 5,
    reclaimIdleMs: 20,
    maxDeliveries: 3,
    onOutcome: (outcome, entry) => outcomes.push([entry.copy.path, outcome]),
  });
  const deadline = Date.now() + 3000;
  while (!until() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  await consumer.close();
  return outcomes;
}

describe('startSpoolConsumer', () => {
  it('marks a copy done once recorded, also when capture refused it for good (a wrong key)', async () => {
    const spool = new InMemorySpool();
    await spool.add(copyOf('/ok'));
    await spool.add(copyOf('/wrong-key'));
    await run(
      spool,
      async (copy) => ({
        kind: 'captured',
        outcome: copy.path === '/ok' ? accepted : refused('unknown_api_key'),
      }),
      () => spool.doneIds.length === 2,
    );
    expect(spool.doneIds).toHaveLength(2);
    expect(await spool.backlog()).toEqual({ waiting: 0, inFlight: 0 });
  });

  it('leaves a copy pending while recording throws or Redis is out, and records it on a later hand-out', async () => {
    const spool = new InMemorySpool();
    await spool.add(copyOf('/flaky'));
    await spool.add(copyOf('/redis-out'));
    const tries = new Map<string, number>();
    const outcomes = await run(
      spool,
      async (copy) => {
        const count = (tries.get(copy.path) ?? 0) + 1;
        tries.set(copy.path, count);
        if (count === 1 && copy.path === '/flaky') throw new Error('boom');
        if (count === 1) return { kind: 'captured', outcome: refused('redis_unavailable') };
        return { kind: 'captured', outcome: accepted };
      },
      () => spool.doneIds.length === 2,
    );
    expect(tries.get('/flaky')).toBe(2);
    expect(tries.get('/redis-out')).toBe(2);
    expect(outcomes.filter(([, outcome]) => outcome.kind === 'retry')).toHaveLength(2);
    expect(await spool.backlog()).toEqual({ waiting: 0, inFlight: 0 });
  });

  it('gives up a copy handed out more than maxDeliveries times, without recording it again', async () => {
    const spool = new InMemorySpool();
    await spool.add(copyOf('/poison'));
    let tries = 0;
    const outcomes = await run(
      spool,
      async () => {
        tries += 1;
        throw new Error('always');
      },
      () => spool.doneIds.length === 1,
    );
    expect(tries).toBe(3);
    expect(outcomes.at(-1)?.[1]).toEqual({ kind: 'given_up' });
    expect(spool.doneIds).toHaveLength(1);
  });
});
