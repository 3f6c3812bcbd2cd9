import type {
  CaptureKeyKind,
  CaptureSpool,
  CopySource,
  SpoolBacklog,
  SpoolEntry,
  SpooledCopy,
} from '@threadline/core';
import type { RedisClient } from './create-redis.js';
import type { RedisKeys } from './redis-keys.js';

/** The consumer group every worker reads the spool in. */
const group = 'recorders';

type BufferEntry = [Buffer, Buffer[]];

/** A copy's fields in the stream: short names, the body as the bytes received (no re-encoding). */
function encode(copy: SpooledCopy): (string | Buffer | Uint8Array)[] {
  const fields: (string | Buffer | Uint8Array)[] = [
    's',
    copy.source,
    'm',
    copy.method,
    'p',
    copy.path,
    'c',
    copy.client,
    't',
    String(copy.receivedAt),
  ];
  if (copy.query) fields.push('q', copy.query);
  if (copy.contentType) fields.push('ct', copy.contentType);
  if (copy.contentEncoding) fields.push('ce', copy.contentEncoding);
  if (copy.authorizedAs) fields.push('a', copy.authorizedAs);
  fields.push('b', copy.body);
  return fields;
}

const sources = new Set<string>(['posthog', 'segment', 'amplitude']);
const authorizations = new Set<string>(['public', 'server', 'unknown']);

/** A stream entry back to a copy; an entry of no known source (written by a newer version) is undefined. */
function decode(fields: Buffer[]): SpooledCopy | undefined {
  const values = new Map<string, Buffer>();
  for (let index = 0; index + 1 < fields.length; index += 2)
    values.set((fields[index] as Buffer).toString(), fields[index + 1] as Buffer);
  const text = (name: string) => values.get(name)?.toString();
  const source = text('s');
  if (!source || !sources.has(source)) return undefined;
  const authorizedAs = text('a');
  return {
    source: source as CopySource,
    method: text('m') ?? 'POST',
    path: text('p') ?? '',
    query: text('q') ?? '',
    contentType: text('ct'),
    contentEncoding: text('ce'),
    authorizedAs:
      authorizedAs && authorizations.has(authorizedAs)
        ? (authorizedAs as CaptureKeyKind | 'unknown')
        : undefined,
    client: text('c') ?? '',
    receivedAt: Number(text('t') ?? 0),
    body: values.get('b') ?? Buffer.alloc(0),
  };
}

function toEntries(entries: BufferEntry[], deliveries: (id: string) => number): SpoolEntry[] {
  const taken: SpoolEntry[] = [];
  for (const [rawId, fields] of entries) {
    const id = rawId.toString();
    // A deleted entry still pending comes back with no fields.
    const copy = fields ? decode(fields) : undefined;
    taken.push(
      copy
        ? { id, copy, deliveries: deliveries(id) }
        : { id, copy: unreadable, deliveries: Number.POSITIVE_INFINITY },
    );
  }
  return taken;
}

/** What an entry that cannot be read stands for: it is given up at once (deliveries: infinite). */
const unreadable: SpooledCopy = {
  source: 'posthog',
  method: 'POST',
  path: '',
  query: '',
  client: '',
  receivedAt: 0,
  body: Buffer.alloc(0),
};

/**
 * The capture spool as one Redis stream (`P:{spool}:capture-copies`) read by the consumer group
 * `recorders`: `add` is one `XADD` (AOF makes it durable), `take` is `XREADGROUP >`, `done` is
 * `XACK` + `XDEL` (the stream holds only what is still to record), and `reclaim` takes over the
 * entries a dead consumer held (`XPENDING` with `IDLE`, then `XCLAIM`). `blocking` is a connection
 * of its own for `XREADGROUP BLOCK`.
 */
export class RedisCaptureSpool implements CaptureSpool {
  private hasGroup = false;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly blocking: RedisClient = redis,
  ) {}

  async add(copy: SpooledCopy): Promise<void> {
    await this.redis.xadd(this.keys.captureSpool(), '*', ...(encode(copy) as string[]));
  }

  /** Entries and bytes the stream holds (Redis's own estimate of its memory), for the proxy's bound. */
  async size(): Promise<{ entries: number; bytes: number }> {
    const key = this.keys.captureSpool();
    const [entries, bytes] = await Promise.all([
      this.redis.xlen(key),
      this.redis.call('MEMORY', 'USAGE', key) as Promise<number | null>,
    ]);
    return { entries, bytes: bytes ?? 0 };
  }

  async take(consumer: string, count: number, blockMs: number): Promise<SpoolEntry[]> {
    const key = this.keys.captureSpool();
    const answer = (await this.withGroup(() =>
      this.blocking.callBuffer(
        'XREADGROUP',
        'GROUP',
        group,
        consumer,
        'COUNT',
        count,
        'BLOCK',
        blockMs,
        'STREAMS',
        key,
        '>',
      ),
    )) as [Buffer, BufferEntry[]][] | null;
    return toEntries(answer?.[0]?.[1] ?? [], () => 1);
  }

  async reclaim(consumer: string, idleMs: number, count: number): Promise<SpoolEntry[]> {
    const key = this.keys.captureSpool();
    const pending = (await this.withGroup(() =>
      this.redis.xpending(key, group, 'IDLE', idleMs, '-', '+', count),
    )) as [string, string, number, number][];
    if (pending.length === 0) return [];
    const deliveries = new Map(pending.map(([id, , , times]) => [id, times + 1]));
    const claimed = (await this.redis.callBuffer(
      'XCLAIM',
      key,
      group,
      consumer,
      idleMs,
      ...pending.map(([id]) => id),
    )) as BufferEntry[];
    const claimedIds = new Set(claimed.map(([id]) => id.toString()));
    // An id pending but deleted from the stream is not returned by XCLAIM: it is given up.
    const gone = pending.map(([id]) => id).filter((id) => !claimedIds.has(id));
    if (gone.length > 0) await this.done(gone);
    return toEntries(claimed, (id) => deliveries.get(id) ?? 1);
  }

  async done(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const key = this.keys.captureSpool();
    const results =
      (await this.redis
        .multi()
        .xack(key, group, ...ids)
        .xdel(key, ...ids)
        .exec()) ?? [];
    const failed = results.find(([error]) => error);
    if (failed?.[0]) throw failed[0];
  }

  async backlog(): Promise<SpoolBacklog> {
    const key = this.keys.captureSpool();
    const [length, pending] = await Promise.all([
      this.redis.xlen(key),
      this.redis.xpending(key, group).catch(() => [0]) as Promise<[number, ...unknown[]]>,
    ]);
    const inFlight = Number(pending[0] ?? 0);
    return { waiting: Math.max(0, length - inFlight), inFlight };
  }

  /** Runs `command`, creating the group again if the stream was deleted under it (NOGROUP). */
  private async withGroup<T>(command: () => Promise<T>): Promise<T> {
    await this.ensureGroup();
    try {
      return await command();
    } catch (error) {
      if (!String((error as Error).message).includes('NOGROUP')) throw error;
      this.hasGroup = false;
      await this.ensureGroup();
      return command();
    }
  }

  /** The group, created once with the stream (from its first entry, so nothing spooled before is skipped). */
  private async ensureGroup(): Promise<void> {
    if (this.hasGroup) return;
    try {
      await this.redis.xgroup('CREATE', this.keys.captureSpool(), group, '0', 'MKSTREAM');
    } catch (error) {
      if (!String((error as Error).message).includes('BUSYGROUP')) throw error;
    }
    this.hasGroup = true;
  }
}
