import type { IncomingHttpHeaders } from 'node:http';
import { type CaptureKeys, captureKeyKind } from '@threadline/capture';
import type { SpooledCopy } from '@threadline/core';
import type { ApiMetrics, Logger } from '@threadline/observability';
import { captureClientOf } from '../capture/capture-guards.js';
import { basicAuthUserOf } from '../sources/source-body.js';
import type { RecordCaptureCopy } from './capture-copy.js';

/** The spool as the proxy uses it: one add per copy, and its size for the bound. */
export interface SpoolWriter {
  add(copy: SpooledCopy): Promise<void>;
  size(): Promise<{ entries: number; bytes: number }>;
}

export interface SpoolingOptions {
  spool: SpoolWriter;
  /** CAPTURE_SPOOL_MAX_ENTRIES, CAPTURE_SPOOL_MAX_BYTES. */
  bound: { maxEntries: number; maxBytes: number };
  keys: CaptureKeys;
  /** A copy not spooled counts in `threadline_events_refused_total` as `spool_full` or `spool_failed`. */
  metrics: Pick<ApiMetrics, 'eventsRefused'>;
  logger: Logger;
  /** How often the spool's size is read (ms, default 1,000). */
  sizeEveryMs?: number;
}

export interface CaptureSpooling {
  record: RecordCaptureCopy;
  stop(): void;
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Segment's Basic auth user as the kind of key it is; the key itself is never spooled. */
function authorizedAs(headers: IncomingHttpHeaders, keys: CaptureKeys): SpooledCopy['authorizedAs'] {
  const user = basicAuthUserOf(headers.authorization);
  if (user === undefined) return undefined;
  return captureKeyKind(user, keys) ?? 'unknown';
}

/**
 * RecordCaptureCopy as one `XADD` of the raw bytes and the few request facts the decoders need,
 * so the proxy's event loop never decodes, describes or stores: a worker does (docs/operations.md,
 * "The capture spool"). The spool is bounded: its size is read every second, and past either bound
 * a copy is refused (counted, logged at most every 10 s), which never changes the upstream's answer.
 */
export async function startCaptureSpooling(options: SpoolingOptions): Promise<CaptureSpooling> {
  const { spool, bound, keys, metrics, logger } = options;
  let isFull = false;
  let reportedAt = 0;
  const report = (reason: string, fields: Record<string, unknown> = {}) => {
    if (Date.now() - reportedAt < 10_000) return;
    reportedAt = Date.now();
    logger.warn(
      { reason, ...fields },
      'capture copy not spooled: Threadline keeps nothing of it; the upstream still got it',
    );
  };
  const readSize = async () => {
    try {
      const size = await spool.size();
      isFull = size.entries >= bound.maxEntries || size.bytes >= bound.maxBytes;
      if (isFull) report('full', size);
    } catch (error) {
      logger.debug({ err: error }, 'capture spool size unreadable');
    }
  };
  await readSize();
  const timer = setInterval(() => void readSize(), options.sizeEveryMs ?? 1000);
  timer.unref();

  const record: RecordCaptureCopy = async (copy) => {
    if (isFull) {
      metrics.eventsRefused.inc({ reason: 'spool_full' });
      return { outcome: 'refused', code: 'spool_full' };
    }
    try {
      await spool.add({
        source: copy.source,
        method: copy.method,
        path: copy.path,
        query: copy.query,
        contentType: header(copy.headers['content-type']),
        contentEncoding: header(copy.headers['content-encoding']),
        authorizedAs: copy.source === 'segment' ? authorizedAs(copy.headers, keys) : undefined,
        client: captureClientOf(copy.ip),
        receivedAt: copy.receivedAt,
        body: copy.method === 'GET' ? Buffer.alloc(0) : copy.rawBody,
      });
      return { outcome: 'spooled' };
    } catch (error) {
      metrics.eventsRefused.inc({ reason: 'spool_failed' });
      report('failed');
      return { outcome: 'failed', error };
    }
  };
  return { record, stop: () => clearInterval(timer) };
}
