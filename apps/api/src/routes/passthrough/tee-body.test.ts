import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { BodyTooLargeError, teeBody } from './tee-body.js';

async function drain(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('teeBody', () => {
  it('gives upstream and the copy the same bytes', async () => {
    const payload = new PassThrough();
    const tee = teeBody(payload, { maxBytes: 100, copyUpToBytes: 50 });
    const forwarded = drain(tee.upstream);
    payload.write(Buffer.from([0x1f, 0x8b, 1]));
    payload.end(Buffer.from([2, 3]));
    expect(await forwarded).toEqual(Buffer.from([0x1f, 0x8b, 1, 2, 3]));
    expect(await tee.copied).toEqual({ kind: 'complete', bytes: Buffer.from([0x1f, 0x8b, 1, 2, 3]) });
  });

  it('forwards a body longer than the copy holds, and copies nothing of it', async () => {
    const payload = new PassThrough();
    const tee = teeBody(payload, { maxBytes: 100, copyUpToBytes: 4 });
    const forwarded = drain(tee.upstream);
    payload.end(Buffer.alloc(10, 7));
    expect((await forwarded).length).toBe(10);
    expect(await tee.copied).toEqual({ kind: 'too_large' });
  });

  it('stops a body past the forwarding limit', async () => {
    const payload = new PassThrough();
    const tee = teeBody(payload, { maxBytes: 8, copyUpToBytes: 8 });
    const forwarded = drain(tee.upstream).catch((error: unknown) => error);
    payload.write(Buffer.alloc(6));
    payload.write(Buffer.alloc(6));
    expect(await forwarded).toBeInstanceOf(BodyTooLargeError);
    expect(tee.isTooLarge()).toBe(true);
    expect(await tee.copied).toEqual({ kind: 'incomplete' });
  });

  it('records nothing of a client that went away mid-upload, and fails the upstream body', async () => {
    const payload = new PassThrough();
    const tee = teeBody(payload, { maxBytes: 100, copyUpToBytes: 100 });
    const forwarded = drain(tee.upstream).catch((error: unknown) => error);
    payload.write(Buffer.alloc(5));
    payload.destroy(new Error('aborted'));
    expect(await forwarded).toBeInstanceOf(Error);
    expect(await tee.copied).toEqual({ kind: 'incomplete' });
  });

  it('still reads the whole body for the copy once the upstream side is gone', async () => {
    const payload = new PassThrough({ highWaterMark: 4 });
    const tee = teeBody(payload, { maxBytes: 1 << 20, copyUpToBytes: 1 << 20 });
    // Nobody reads upstream (a refused connection), then undici destroys it.
    const body = Buffer.alloc(256 * 1024, 3);
    payload.write(body.subarray(0, 128 * 1024));
    tee.upstream.destroy(new Error('connect ECONNREFUSED'));
    payload.end(body.subarray(128 * 1024));
    expect(await tee.copied).toEqual({ kind: 'complete', bytes: body });
  });
});
