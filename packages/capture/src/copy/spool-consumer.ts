import type { CaptureSpool, SpoolEntry, SpooledCopy } from '@threadline/core';
import type { CopyRecord } from './record-spooled-copy.js';

/** What became of one entry the consumer handled. */
export type SpoolEntryOutcome =
  | CopyRecord
  /** Recording threw, or Redis refused (unreachable, above its high water): left for a later try. */
  | { kind: 'retry'; error?: unknown }
  /** Handed out `maxDeliveries` times without being recorded, or unreadable: removed unrecorded. */
  | { kind: 'given_up' };

export interface SpoolConsumerOptions {
  spool: CaptureSpool;
  record(copy: SpooledCopy): Promise<CopyRecord>;
  /** This consumer's name in the group: unique per process. */
  consumer: string;
  /** Entries read and recorded together (default 32). */
  batchSize?: number;
  /** How long one read waits for new entries (ms, default 1,000): also how soon `close` returns. */
  blockMs?: number;
  /** An entry taken and not done for this long is taken over, from a dead consumer or a failed try (ms, default 10,000). */
  reclaimIdleMs?: number;
  /** Hand-outs after which an entry is given up (default 5). */
  maxDeliveries?: number;
  onOutcome?(outcome: SpoolEntryOutcome, entry: SpoolEntry): void;
  /** A read or acknowledgement failed (Redis); the loop goes on after a pause. */
  onError?(error: unknown): void;
}

export interface SpoolConsumer {
  /** Stops reading, finishes the entries in hand. */
  close(): Promise<void>;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Records the spool's copies at least once: an entry is done only after its copy was recorded (or
 * given up), so a consumer killed mid-batch leaves its entries pending, and another consumer takes
 * them over after `reclaimIdleMs`. Recording twice stores once: events carry their uuid, messageId
 * or insert_id, and capture skips ids it has seen.
 */
export function startSpoolConsumer(options: SpoolConsumerOptions): SpoolConsumer {
  const {
    spool,
    record,
    consumer,
    batchSize = 32,
    blockMs = 1000,
    reclaimIdleMs = 10_000,
    maxDeliveries = 5,
  } = options;
  let isClosing = false;
  let reclaimedAt = 0;

  const handleOne = async (entry: SpoolEntry): Promise<SpoolEntryOutcome> => {
    if (entry.deliveries > maxDeliveries) return { kind: 'given_up' };
    try {
      const recorded = await record(entry.copy);
      if (
        recorded.kind === 'captured' &&
        recorded.outcome.kind === 'refused' &&
        (recorded.outcome.reason === 'redis_unavailable' || recorded.outcome.reason === 'redis_memory_high')
      )
        return { kind: 'retry' };
      return recorded;
    } catch (error) {
      return { kind: 'retry', error };
    }
  };

  const handle = async (entries: SpoolEntry[]) => {
    if (entries.length === 0) return;
    const outcomes = await Promise.all(entries.map(handleOne));
    const done: string[] = [];
    outcomes.forEach((outcome, index) => {
      const entry = entries[index] as SpoolEntry;
      options.onOutcome?.(outcome, entry);
      if (outcome.kind !== 'retry') done.push(entry.id);
    });
    await spool.done(done);
  };

  const loop = (async () => {
    while (!isClosing) {
      try {
        if (Date.now() - reclaimedAt >= reclaimIdleMs / 2) {
          reclaimedAt = Date.now();
          await handle(await spool.reclaim(consumer, reclaimIdleMs, batchSize));
        }
        await handle(await spool.take(consumer, batchSize, blockMs));
      } catch (error) {
        options.onError?.(error);
        if (!isClosing) await pause(500);
      }
    }
  })();

  return {
    async close() {
      isClosing = true;
      await loop;
    },
  };
}
