import { describe, expect, it } from 'vitest';
import { CopyQueue } from './copy-queue.js';

function deferred() {
  let resolve: () => void = () => {};
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

describe('CopyQueue', () => {
  it('runs up to maxRunning at once, then queues within the byte budget, then sheds', async () => {
    const queue = new CopyQueue({ maxRunning: 2, maxWaiting: 10, maxWaitingBytes: 100 });
    const gates = [deferred(), deferred(), deferred()];
    const started: number[] = [];
    const job = (index: number) => () => {
      started.push(index);
      return gates[index]?.promise ?? Promise.resolve();
    };
    expect(queue.offer(10, job(0))).toBe(true);
    expect(queue.offer(10, job(1))).toBe(true);
    expect(queue.offer(60, job(2))).toBe(true);
    expect(queue.offer(60, job(3))).toBe(false);
    expect(queue.shed).toBe(1);
    expect(started).toEqual([0, 1]);
    gates[0]?.resolve();
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1, 2]);
    const drained = queue.drained();
    gates[1]?.resolve();
    gates[2]?.resolve();
    await drained;
    expect(queue.offer(60, job(4))).toBe(true);
  });

  it('sheds past maxWaiting copies whatever their size', () => {
    const queue = new CopyQueue({ maxRunning: 1, maxWaiting: 1, maxWaitingBytes: 1000 });
    const never = () => new Promise<void>(() => {});
    expect([queue.offer(1, never), queue.offer(1, never), queue.offer(1, never)]).toEqual([
      true,
      true,
      false,
    ]);
  });

  it('keeps going after a copy that throws', async () => {
    const queue = new CopyQueue({ maxRunning: 1, maxWaiting: 10, maxWaitingBytes: 10 });
    const ran: string[] = [];
    queue.offer(1, async () => {
      throw new Error('boom');
    });
    queue.offer(1, async () => {
      ran.push('second');
    });
    await queue.drained();
    expect(ran).toEqual(['second']);
  });
});
