import type { ServerResponse } from 'node:http';
import { activityNotice, type FeedEntry, inertJson, toConsumerAction } from '@threadline/core';

/** Why a stream ended from our side: the data of its last event, `closing`. */
export type ClosingReason = 'too_slow' | 'shutting_down';

const closingMessages: Record<ClosingReason, string> = {
  too_slow: 'the client read too slowly and the stream was cut off; reconnect with Last-Event-ID to resume',
  shutting_down: 'the server is restarting; reconnect with Last-Event-ID to resume',
};

/** How long a cut-off client has to read the rest and the last event before its socket is dropped. */
const endGraceMs = 10_000;

/** Stream ids are `<ms>-<seq>`: ordered by time, then by sequence. */
export function compareFeedIds(a: string, b: string): number {
  const [aMs = 0, aSeq = 0] = a.split('-').map(Number);
  const [bMs = 0, bSeq = 0] = b.split('-').map(Number);
  return aMs - bMs || aSeq - bSeq;
}

/** The hub hands the same entry objects to every stream of a product: each is serialised once. */
const serialised = new WeakMap<FeedEntry, string>();

/** `event: action` with the feed id as `id:`; the data is the action as the MCP tool shows it. */
export function actionEvent(entry: FeedEntry): string {
  let event = serialised.get(entry);
  if (event === undefined) {
    event = `id: ${entry.id}\nevent: action\ndata: ${inertJson(toConsumerAction(entry.userId, entry.action))}\n\n`;
    serialised.set(entry, event);
  }
  return event;
}

/**
 * One SSE response: writes each action once, in feed order, never one at or before `lastId`, and
 * holds at most `maxBufferBytes` (plus one batch) for a client that does not read: past it the
 * stream ends with a `closing` event instead of buffering more.
 */
export class SseConnection {
  private isEnded = false;

  constructor(
    private readonly raw: ServerResponse,
    private lastId: string,
    private readonly maxBufferBytes: number,
  ) {}

  get lastEventId(): string {
    return this.lastId;
  }

  get isOpen(): boolean {
    return !this.isEnded && !this.raw.destroyed;
  }

  open(): void {
    this.raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      // The connection ends with the stream: nothing else is ever sent on it.
      connection: 'close',
      // Proxies such as nginx would otherwise hold events back.
      'x-accel-buffering': 'no',
    });
    this.raw.write(`retry: 2000\n: ${activityNotice}\n: threadline stream, last id ${this.lastId}\n\n`);
  }

  send(entries: FeedEntry[]): void {
    if (!this.isOpen) return;
    let chunk = '';
    let newest = this.lastId;
    for (const entry of entries) {
      if (compareFeedIds(entry.id, newest) <= 0) continue;
      chunk += actionEvent(entry);
      newest = entry.id;
    }
    if (chunk === '') return;
    // What is still waiting for the client is past the limit: it is not reading. (A batch is written
    // whole, so at most the limit plus one batch is held.)
    if (this.raw.writableLength > this.maxBufferBytes) {
      this.end('too_slow');
      return;
    }
    this.raw.write(chunk);
    this.lastId = newest;
  }

  /**
   * `event: gap`, once, before anything else: the resume id is older than what the feed still holds,
   * so actions between it and the oldest kept may be missing (past STREAM_RETENTION_S or the cap).
   */
  gap(oldestKept: string): void {
    if (!this.isOpen) return;
    const data = inertJson({
      message:
        'Last-Event-ID is older than the stream keeps (STREAM_RETENTION_S): actions before the next may be missing',
      last_event_id: this.lastId,
      oldest_kept_id: oldestKept,
    });
    this.raw.write(`event: gap\ndata: ${data}\n\n`);
  }

  heartbeat(): void {
    if (this.isOpen) this.raw.write(': heartbeat\n\n');
  }

  /**
   * Ends with a last `closing` event naming the id to resume from. A client that reads gets it; one
   * that never reads is dropped after a grace period rather than kept with its buffer.
   */
  end(reason: ClosingReason): void {
    if (!this.isOpen) return;
    this.isEnded = true;
    const data = inertJson({ reason, message: closingMessages[reason], last_event_id: this.lastId });
    this.raw.end(`event: closing\ndata: ${data}\n\n`);
    setTimeout(() => this.raw.destroy(), endGraceMs).unref();
  }
}
