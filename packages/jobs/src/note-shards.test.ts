import { deleteKeysWithPrefix, testRedisUrl, uniquePrefix } from '@threadline/test-helpers';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isQueueName, noteQueueName, noteShardOf, queueNamesFor } from './note-shards.js';
import { createQueues, type ThreadlineQueues } from './queues.js';

describe('noteShardOf', () => {
  it('is CRC-32 of the conversation id modulo the shards: the same answer in every process', () => {
    // Pinned: changing the function would move conversations between shards (see docs/operations.md).
    expect(noteShardOf('conv-1', 4)).toBe(3736203980 % 4);
    expect(noteShardOf('215470000000001', 3)).toBe(502045611 % 3);
    expect(noteShardOf('conv-1', 1)).toBe(0);
    for (let index = 0; index < 100; index += 1) {
      const id = `conversation-${index}`;
      expect(noteShardOf(id, 5)).toBe(noteShardOf(id, 5));
    }
    expect(() => noteShardOf('conv-1', 0)).toThrow(RangeError);
  });

  it('spreads 10,000 conversations over 4 shards within 10 % of a quarter each', () => {
    for (const idOf of [(n: number) => `conv-${n}`, (n: number) => String(215_470_000_000_000 + n * 7)]) {
      const counts = [0, 0, 0, 0];
      for (let index = 0; index < 10_000; index += 1) {
        const shard = noteShardOf(idOf(index), 4);
        counts[shard] = (counts[shard] ?? 0) + 1;
      }
      for (const count of counts) {
        expect(count).toBeGreaterThanOrEqual(2250);
        expect(count).toBeLessThanOrEqual(2750);
      }
    }
  });
});

describe('queue names', () => {
  it('keeps shard 0 as `notes` and lists every queue in catalog order', () => {
    expect(noteQueueName(0)).toBe('notes');
    expect(noteQueueName(2)).toBe('notes-2');
    expect(queueNamesFor(1)).toEqual(['link', 'notes', 'summaries']);
    expect(queueNamesFor(3)).toEqual(['link', 'notes', 'notes-1', 'notes-2', 'summaries']);
  });

  it('recognises our queue names and nothing else', () => {
    for (const name of ['link', 'notes', 'notes-1', 'notes-12', 'summaries'])
      expect(isQueueName(name)).toBe(true);
    for (const name of ['emails', 'notes-0', 'notes-', 'notes-01', 'notes-x', 'link-1']) {
      expect(isQueueName(name)).toBe(false);
    }
  });
});

describe('createQueues with 3 notes shards', () => {
  const prefix = uniquePrefix('shards');
  let redis: Redis;
  let queues: ThreadlineQueues;
  beforeAll(() => {
    redis = new Redis(testRedisUrl());
    queues = createQueues(redis, { prefix, coalesceMs: 1000, noteQueueShards: 3 });
  });
  afterAll(async () => {
    await queues.close();
    await deleteKeysWithPrefix(testRedisUrl(), prefix);
    redis.disconnect();
  });

  it('has one queue per shard, each under its own hash tag', async () => {
    expect(queues.names).toEqual(['link', 'notes', 'notes-1', 'notes-2', 'summaries']);
    expect(Object.values(queues.queues).map((queue) => queue.name)).toEqual(queues.names);
    expect(queues.noteQueues.map((queue) => queue.opts.prefix)).toEqual([
      `{${prefix}-notes}`,
      `{${prefix}-notes-1}`,
      `{${prefix}-notes-2}`,
    ]);
  });

  it("puts each conversation's requests on its shard, coalesced into one job there", async () => {
    const conversations = Array.from({ length: 30 }, (_, index) => `conv-shard-${index}`);
    for (const conversationId of conversations) {
      await queues.requestDelivery(conversationId);
      await queues.requestDelivery(conversationId);
    }
    const byShard = await Promise.all(
      queues.noteQueues.map(async (queue) =>
        (await queue.getDelayed()).map((job) => job.data.conversationId),
      ),
    );
    for (const [shard, ids] of byShard.entries()) {
      expect(ids.length).toBeGreaterThan(0);
      for (const id of ids) expect(noteShardOf(id, 3), id).toBe(shard);
    }
    expect(byShard.flat().sort()).toEqual([...conversations].sort());
  });

  it('keeps one send gate: a 401 pauses every shard, resume resumes every shard', async () => {
    expect(queues.sendGate.keys.paused).toBe(`{${prefix}-notes}:send:paused`);
    await queues.sendGate.pause({ code: 'forbidden', message: 'token lost its scope' });
    expect(await Promise.all(queues.noteQueues.map((queue) => queue.isPaused()))).toEqual([true, true, true]);
    expect(await queues.sendGate.beforeCall()).toEqual({ kind: 'paused' });
    await queues.sendGate.resume();
    expect(await Promise.all(queues.noteQueues.map((queue) => queue.isPaused()))).toEqual([
      false,
      false,
      false,
    ]);
    expect(await queues.sendGate.paused()).toBeNull();
  });
});
