import { noteShardOf } from '@threadline/jobs';
import { deleteKeysWithPrefix, testRedisUrl, uniquePrefix } from '@threadline/test-helpers';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueues, type ThreadlineQueues } from './create-queues.js';

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
    expect(queues.names).toEqual(['link', 'notes', 'notes-1', 'notes-2', 'summaries', 'push']);
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
      await queues.deliveries.request(conversationId);
      await queues.deliveries.request(conversationId);
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

  it('keeps one gate per workspace whatever the shards: a 401 stops its calls, never a shard', async () => {
    expect(queues.sendGate.keys.paused).toBe(`{${prefix}-notes}:send:paused`);
    expect(queues.sendGateFor('intercom-b').keys.paused).toBe(`{${prefix}-notes}:send:w:intercom-b:paused`);
    expect(queues.sendGateFor('intercom-b')).toBe(queues.sendGateFor('intercom-b'));
    await queues.sendGate.pause({ code: 'forbidden', message: 'token lost its scope' });
    expect(await Promise.all(queues.noteQueues.map((queue) => queue.isPaused()))).toEqual([
      false,
      false,
      false,
    ]);
    expect(await queues.sendGate.beforeCall()).toEqual({ kind: 'paused' });
    expect(await queues.sendGateFor('intercom-b').beforeCall()).toEqual({ kind: 'go' });
    // A shard paused by a version before workspaces is resumed too.
    await Promise.all(queues.noteQueues.map((queue) => queue.pause()));
    await queues.sendGate.resume();
    expect(await Promise.all(queues.noteQueues.map((queue) => queue.isPaused()))).toEqual([
      false,
      false,
      false,
    ]);
    expect(await queues.sendGate.paused()).toBeNull();
  });
});
