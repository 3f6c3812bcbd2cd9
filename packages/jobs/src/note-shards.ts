import { crc32 } from 'node:zlib';
import { type NoteShardQueueName, type QueueName, queueNames } from './job-catalog.js';

/**
 * The shard of a conversation's deliveries: CRC-32 (IEEE, as zlib, Python's `zlib.crc32` or
 * `CRC32()` in SQL compute it) of the UTF-8 conversation id, modulo the number of shards. A
 * conversation always lands on the same shard while `shards` stays the same, so its deliveries keep
 * their order and their coalescing (BullMQ deduplicates within one queue).
 */
export function noteShardOf(conversationId: string, shards: number): number {
  if (!Number.isInteger(shards) || shards < 1) throw new RangeError(`shards must be a whole number ≥ 1`);
  return crc32(conversationId) % shards;
}

/** Shard 0 keeps the name `notes`, so a deployment with one shard has the keys it always had. */
export function noteQueueName(shard: number): typeof queueNames.notes | NoteShardQueueName {
  return shard === 0 ? queueNames.notes : `${queueNames.notes}-${shard}`;
}

/** The notes shards' queue names, in shard order. */
export function noteQueueNames(shards: number): QueueName[] {
  return Array.from({ length: shards }, (_, shard) => noteQueueName(shard));
}

/** Every queue of a deployment, in the order operators see them: link, the notes shards, summaries. */
export function queueNamesFor(noteShards: number): QueueName[] {
  return [queueNames.link, ...noteQueueNames(noteShards), queueNames.summaries, queueNames.push];
}

/** Whether `name` is spelled like one of our queues (whether the deployment has it is another question). */
export function isQueueName(name: string): name is QueueName {
  return /^(link|notes|summaries|push|notes-[1-9][0-9]*)$/.test(name);
}
