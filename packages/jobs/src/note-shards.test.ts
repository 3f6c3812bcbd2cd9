import { describe, expect, it } from 'vitest';
import { isQueueName, noteQueueName, noteShardOf, queueNamesFor } from './note-shards.js';

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
    expect(queueNamesFor(1)).toEqual(['link', 'notes', 'summaries', 'push']);
    expect(queueNamesFor(3)).toEqual(['link', 'notes', 'notes-1', 'notes-2', 'summaries', 'push']);
  });

  it('recognises our queue names and nothing else', () => {
    for (const name of ['link', 'notes', 'notes-1', 'notes-12', 'summaries', 'push'])
      expect(isQueueName(name)).toBe(true);
    for (const name of ['emails', 'notes-0', 'notes-', 'notes-01', 'notes-x', 'link-1']) {
      expect(isQueueName(name)).toBe(false);
    }
  });
});
