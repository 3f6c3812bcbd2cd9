import { PassThrough, type Readable } from 'node:stream';

/** What the copy of a request body came to once the client finished sending (or stopped). */
export type CopiedBody =
  | { kind: 'complete'; bytes: Buffer }
  /** Longer than the copy may hold: still forwarded, not copied. */
  | { kind: 'too_large' }
  /** The client went away (or the body passed the forwarding limit) before the end: nothing to record. */
  | { kind: 'incomplete' };

export class BodyTooLargeError extends Error {
  readonly code = 'too_large';
  constructor(readonly limitBytes: number) {
    super(`the request body is larger than ${limitBytes} bytes`);
  }
}

export interface BodyTee {
  /** The bytes as received, for the upstream request (undici reads it as the body stream). */
  upstream: PassThrough;
  /** Settles when the client has sent the whole body or stopped; never rejects. */
  copied: Promise<CopiedBody>;
  /** Whether the body passed `maxBytes` (the upstream stream is then destroyed with BodyTooLargeError). */
  isTooLarge(): boolean;
}

/**
 * Splits a request body into the stream forwarded upstream and Threadline's copy, from the same
 * chunks. The upstream side keeps its backpressure; once it is gone (the upstream failed, timed out
 * or answered early) the rest of the body is still read for the copy, so a request PostHog never got
 * is still recorded once before the client hears 502/504 and retries.
 */
export function teeBody(payload: Readable, limits: { maxBytes: number; copyUpToBytes: number }): BodyTee {
  const upstream = new PassThrough();
  const chunks: Buffer[] = [];
  let received = 0;
  let isCopying = limits.copyUpToBytes > 0;
  let isTooLarge = false;
  let settle: (body: CopiedBody) => void = () => {};
  const copied = new Promise<CopiedBody>((resolve) => {
    settle = resolve;
  });

  payload.on('data', (chunk: Buffer) => {
    received += chunk.length;
    if (received > limits.maxBytes) {
      isTooLarge = true;
      upstream.destroy(new BodyTooLargeError(limits.maxBytes));
      payload.destroy();
      return;
    }
    if (isCopying) {
      if (received <= limits.copyUpToBytes) chunks.push(chunk);
      else {
        isCopying = false;
        chunks.length = 0;
      }
    }
    if (!upstream.destroyed && !upstream.write(chunk)) payload.pause();
  });
  upstream.on('drain', () => payload.resume());
  upstream.on('close', () => payload.resume());
  payload.once('end', () => {
    upstream.end();
    if (limits.copyUpToBytes === 0) settle({ kind: 'complete', bytes: Buffer.alloc(0) });
    else settle(isCopying ? { kind: 'complete', bytes: Buffer.concat(chunks) } : { kind: 'too_large' });
  });
  payload.once('close', () => {
    if (!payload.readableEnded) {
      upstream.destroy(isTooLarge ? new BodyTooLargeError(limits.maxBytes) : new Error('client aborted'));
      settle({ kind: 'incomplete' });
    }
  });
  payload.on('error', () => {});
  // undici listens while it sends; before and after, a destroyed upstream side must not throw.
  upstream.on('error', () => {});
  return { upstream, copied, isTooLarge: () => isTooLarge };
}
