import type { DeliveryScheduler } from '@threadline/core';
import { deliverNotesJob } from '@threadline/jobs';
import { defineLuaScript, type RedisClient } from '@threadline/redis-store';
import type { Queue } from 'bullmq';
import type { SendGateKeys } from '../send-gate/send-gate-keys.js';
import { waitingJobDueInMs } from './bullmq-deduplication.js';

/**
 * A request is folded into a waiting job only while that job is at least this far from being due, so
 * that it surely has not started even if the clocks of the processes differ a little.
 */
const waitingMarginMs = 250;

/** A request may leave the waiting job this share of the debounce earlier than it would have set it. */
const debounceSlack = 0.1;

const coalesceDelayScript = defineLuaScript<
  'window' | 'pressure' | 'pressureFloor',
  'now' | 'debounceMs' | 'maxWaitMs' | 'waitingMarginMs' | 'debounceSlack' | 'waitingDueInMs',
  { delayMs: number; factor: string; alreadyWaiting: number }
>(new URL('./coalesce-delay.lua', import.meta.url));

export interface DeliverySchedulerOptions {
  /** NOTE_COALESCE_MS; 1 or less: every request is a job of its own. */
  coalesceMs: number;
  /** NOTE_MAX_WAIT_MS; default `coalesceMs` + 1 s. */
  maxWaitMs?: number | undefined;
  /** The notes shard that holds a conversation's deliveries. */
  noteQueueFor(conversationId: string): Queue;
  /** Where the coalescing windows and the gate's pressure live. */
  keys: Pick<SendGateKeys, 'window' | 'pressure' | 'pressureFloor'>;
  /**
   * The pressure keys of the conversation's workspace (its product given, or looked up): a 429 in one
   * workspace widens only its own conversations' coalescing. Unset: `keys` for every conversation.
   */
  pressureKeysFor?: (
    conversationId: string,
    productId?: string,
  ) => Promise<Pick<SendGateKeys, 'pressure' | 'pressureFloor'>>;
  now?: () => number;
}

/**
 * The coalescing debouncer over BullMQ: each request replaces the conversation's waiting
 * `deliver-notes` job and pushes it back (deduplication with `replace` + `extend`), bounded by the
 * window's maximum wait; a request the waiting job will cover anyway adds nothing.
 */
export class BullmqDeliveryScheduler implements DeliveryScheduler {
  private readonly maxWaitMs: number;
  private readonly now: () => number;

  constructor(
    private readonly connection: RedisClient,
    private readonly options: DeliverySchedulerOptions,
  ) {
    // Without rate pressure no action waits much more than the debounce: a steady stream of actions is
    // cut into notes at most a second past it (the p99 goal of issue 5 is debounce + 1.5 s).
    this.maxWaitMs = Math.max(options.maxWaitMs ?? options.coalesceMs + 1000, options.coalesceMs);
    this.now = options.now ?? Date.now;
  }

  async request(
    conversationId: string,
    requestOptions: { immediate?: boolean; productId?: string } = {},
  ): Promise<void> {
    const payload = deliverNotesJob.payload.parse({ conversationId });
    // Every request of a conversation goes to its one shard: order and deduplication are per queue.
    const queue = this.options.noteQueueFor(conversationId);
    // The first note of a new link goes out at once; the per-conversation lock keeps it single.
    if (requestOptions.immediate || this.options.coalesceMs <= 1)
      return void (await queue.add(deliverNotesJob.name, payload));
    const deduplicationId = deliverNotesJob.deduplicationId(conversationId);
    const { keys } = this.options;
    const pressureKeys = this.options.pressureKeysFor
      ? await this.options.pressureKeysFor(conversationId, requestOptions.productId)
      : keys;
    const { delayMs, alreadyWaiting } = await coalesceDelayScript.run(
      this.connection,
      {
        window: keys.window(deduplicationId),
        pressure: pressureKeys.pressure,
        pressureFloor: pressureKeys.pressureFloor,
      },
      {
        now: this.now(),
        debounceMs: this.options.coalesceMs,
        maxWaitMs: this.maxWaitMs,
        waitingMarginMs,
        debounceSlack,
        waitingDueInMs: await waitingJobDueInMs(this.connection, queue, deduplicationId),
      },
    );
    if (alreadyWaiting === 1) return;
    // Debounce: a request replaces the job still waiting (`replace`) and pushes it back (`extend`).
    // The deduplication window closes just before the job starts, so a request that was folded into
    // a job always happened before that job reads the actions; a request made while a job runs makes
    // the next one, and the per-conversation lock keeps them one at a time.
    const deduplication =
      delayMs > 1
        ? { deduplication: { id: deduplicationId, ttl: delayMs - 1, extend: true, replace: true } }
        : {};
    await queue.add(deliverNotesJob.name, payload, { delay: delayMs, ...deduplication });
  }
}
