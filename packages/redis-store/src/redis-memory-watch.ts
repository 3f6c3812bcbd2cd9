import type { RedisClient } from './create-redis.js';

export interface RedisMemoryUsage {
  usedBytes: number;
  /** `maxmemory`; 0 when none is set (then nothing is ever above the high water mark). */
  maxBytes: number;
  /** used / max of the fullest master, 0 without maxmemory. */
  ratio: number;
}

function infoNumber(info: string, field: string): number {
  const start = info.indexOf(`\n${field}:`);
  if (start < 0) return 0;
  const value = Number.parseInt(info.slice(start + field.length + 2), 10);
  return Number.isFinite(value) ? value : 0;
}

/** Reads `INFO memory` of every master (one for a plain Redis) and keeps the fullest. */
export async function readRedisMemory(redis: RedisClient): Promise<RedisMemoryUsage> {
  const nodes = 'nodes' in redis && typeof redis.nodes === 'function' ? redis.nodes('master') : [redis];
  const infos = await Promise.all(nodes.map((node) => node.info('memory')));
  let fullest: RedisMemoryUsage = { usedBytes: 0, maxBytes: 0, ratio: 0 };
  for (const info of infos) {
    const text = `\n${info}`;
    const usedBytes = infoNumber(text, 'used_memory');
    const maxBytes = infoNumber(text, 'maxmemory');
    const ratio = maxBytes > 0 ? usedBytes / maxBytes : 0;
    if (ratio >= fullest.ratio) fullest = { usedBytes, maxBytes, ratio };
  }
  return fullest;
}

export interface RedisMemoryWatchOptions {
  /** REDIS_MEMORY_HIGH_WATER: share of maxmemory. */
  highWater: number;
  /** How often to read `INFO memory` (default 1 s). */
  intervalMs?: number;
  onReading?(usage: RedisMemoryUsage): void;
  onError?(error: unknown): void;
}

/**
 * Keeps the latest Redis memory reading, so a capture request asks a variable rather than Redis.
 * A failed reading keeps the previous one (Redis being down is answered on its own).
 */
export class RedisMemoryWatch {
  private latest: RedisMemoryUsage | null = null;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: RedisClient,
    private readonly options: RedisMemoryWatchOptions,
  ) {}

  /** Reads once now, then every interval until `stop()`. */
  async start(): Promise<void> {
    await this.read();
    this.timer ??= setInterval(() => void this.read(), this.options.intervalMs ?? 1000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  get usage(): RedisMemoryUsage | null {
    return this.latest;
  }

  get isAboveHighWater(): boolean {
    return this.latest !== null && this.latest.maxBytes > 0 && this.latest.ratio >= this.options.highWater;
  }

  private async read(): Promise<void> {
    try {
      this.latest = await readRedisMemory(this.redis);
      this.options.onReading?.(this.latest);
    } catch (error) {
      this.options.onError?.(error);
    }
  }
}
