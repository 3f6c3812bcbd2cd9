import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CaptureReader, RawCaptureRequest, ReadCapture } from '@threadline/core';
import { Piscina } from 'piscina';
import { hasGzipMagic } from './gunzip-bounded.js';
import { type CaptureReaderSettings, readCaptureRequest } from './read-capture-request.js';
import type { ReadCaptureTask } from './read-capture-worker.js';

export interface CaptureReaderPool extends CaptureReader {
  /** Why large bodies are read inline although threads were asked for (the pool could not start). */
  problem?: string;
  /** Ends the worker threads (after the tasks in flight). */
  close(): Promise<void>;
}

export interface CaptureReaderPoolOptions {
  /** CAPTURE_DECODE_THREADS: worker threads; 0 reads every request on the calling thread. */
  threads: number;
  /**
   * Requests whose decoded size may reach this many bytes go to a worker: bodies this large, and
   * gzip bodies a tenth of it (gzip of JSON inflates about tenfold, far more for repeated text).
   * Default 256 KiB: a posthog-js batch is a few KiB; a 1,000-event batch is megabytes, ~30 ms to
   * inflate, parse and extract, which would hold every other request that long.
   */
  minBytes?: number;
  /**
   * CAPTURE_CPU_BUDGET_MS: the worker also describes the events of what it reads, the first ones
   * that fit in this much time (`described`). Absent: it only reads.
   */
  describeBudgetMs?: number;
}

const workerFile = new URL('./read-capture-worker.ts', import.meta.url);

function estimatedBytes(body: Uint8Array | undefined): number {
  if (!body) return 0;
  return hasGzipMagic(body) ? body.byteLength * 10 : body.byteLength;
}

/** How long a new pool may take to answer its first task before the reader gives up on it. */
const startTimeoutMs = 10_000;

async function startPool(threads: number): Promise<{ pool: Piscina | null; problem?: string }> {
  if (!existsSync(fileURLToPath(workerFile)))
    return { pool: null, problem: `no worker file ${workerFile.pathname}` };
  const pool = new Piscina({
    filename: workerFile.href,
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: Number.POSITIVE_INFINITY,
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    // A worker that cannot load its file (no TypeScript loader) would leave tasks waiting for ever.
    await Promise.race([
      pool.run({
        request: { body: undefined, query: {} },
        receivedAt: new Date(),
        settings: { keys: { apiKey: undefined } },
      }),
      new Promise((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${startTimeoutMs} ms`)), startTimeoutMs);
      }),
    ]);
    return { pool };
  } catch (error) {
    await pool.destroy();
    return { pool: null, problem: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Reads small requests on the calling thread and large ones on a pool of worker threads
 * (piscina), so decoding a large batch never holds the event loop. When the pool cannot start (no
 * worker file next to this one, as in an app bundle, or a worker that cannot load it), every
 * request is read inline and `problem` says why.
 */
export async function startCaptureReader(
  settings: CaptureReaderSettings,
  options: CaptureReaderPoolOptions,
): Promise<CaptureReaderPool> {
  const minBytes = options.minBytes ?? 256 * 1024;
  const started = options.threads > 0 ? await startPool(options.threads) : { pool: null };
  const { pool } = started;
  return {
    ...(started.problem ? { problem: started.problem } : {}),
    async read(request: RawCaptureRequest, receivedAt: Date) {
      if (!pool || estimatedBytes(request.body) < minBytes)
        return readCaptureRequest(request, receivedAt, settings);
      const task: ReadCaptureTask = {
        request,
        receivedAt,
        settings,
        ...(options.describeBudgetMs === undefined ? {} : { describeBudgetMs: options.describeBudgetMs }),
      };
      return (await pool.run(task)) as ReadCapture;
    },
    async close() {
      await pool?.close();
    },
  };
}
