import type { FeedEntry } from '@threadline/core';
import type { Logger } from '@threadline/observability';
import type { RedisClient, RedisProductFeed } from '@threadline/redis-store';

export type FeedListener = (entries: FeedEntry[]) => void;

interface ProductLoop {
  listeners: Set<FeedListener>;
  /** Resolves once the loop knows where it starts: a listener added after it misses nothing later. */
  ready: Promise<void>;
  connection: RedisClient;
}

/** How long one blocking read waits; a loop with no listener left ends after at most this. */
const blockMs = 5000;
const pageSize = 1000;

/**
 * One blocking reader per product with live streams in this process, fanning each batch out to every
 * stream of that product: 100 streams cost one Redis read, one decode. It reads the product's feed in
 * Redis, so a stream sees actions captured by any API replica.
 */
export class ProductFeedHub {
  private readonly loops = new Map<string, ProductLoop>();
  private isClosed = false;

  constructor(
    private readonly feed: RedisProductFeed,
    private readonly openBlockingConnection: () => RedisClient,
    private readonly logger: Logger,
  ) {}

  /** Adds a listener for entries stored after this resolves; the returned function removes it. */
  async subscribe(productId: string, listener: FeedListener): Promise<() => void> {
    let loop = this.loops.get(productId);
    if (!loop) {
      loop = this.startLoop(productId);
      this.loops.set(productId, loop);
    }
    loop.listeners.add(listener);
    await loop.ready;
    const owner = loop;
    return () => owner.listeners.delete(listener);
  }

  /** Ends every loop (their blocked reads fail and stop). Idempotent. */
  close(): void {
    this.isClosed = true;
    for (const loop of this.loops.values()) loop.connection.disconnect();
    this.loops.clear();
  }

  private startLoop(productId: string): ProductLoop {
    const connection = this.openBlockingConnection();
    let markReady!: () => void;
    const loop: ProductLoop = {
      listeners: new Set(),
      ready: new Promise((resolve) => {
        markReady = resolve;
      }),
      connection,
    };
    void this.run(productId, loop, markReady);
    return loop;
  }

  private async run(productId: string, loop: ProductLoop, markReady: () => void): Promise<void> {
    let position: string | undefined;
    while (!this.isClosed && (position === undefined || loop.listeners.size > 0)) {
      try {
        if (position === undefined) {
          position = await this.feed.latestId(productId);
          markReady();
          continue;
        }
        const entries = await this.feed.waitAfter(loop.connection, productId, position, blockMs, pageSize);
        const last = entries.at(-1);
        if (!last) continue;
        position = last.id;
        for (const listener of loop.listeners) listener(entries);
      } catch (error) {
        if (this.isClosed) break;
        this.logger.warn({ err: error, productId }, 'stream feed read failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
    if (this.loops.get(productId) === loop) this.loops.delete(productId);
    loop.connection.disconnect();
  }
}
