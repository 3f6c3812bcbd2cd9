import { hash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type {
  Action,
  ActivityStore,
  AppendOptions,
  AppendResult,
  IdentityState,
  MergeOutcome,
  StoredAction,
  UserAppend,
  UserRef,
} from '@threadline/core';
import type { RedisClient } from './create-redis.js';
import { LuaScript, type ScriptCall } from './lua-script.js';
import type { RedisKeys } from './redis-keys.js';

export interface ActivityLimits {
  /** Most actions kept per user. */
  maxActions: number;
  retentionSeconds: number;
  /** Streams of anonymous ids only: how long they are kept (default: `retentionSeconds`). */
  anonymousRetentionSeconds?: number;
  /** Client event ids are remembered at least this long (two buckets of it); default 7,200 s. */
  dedupeWindowSeconds?: number;
}

/**
 * A client event id (PostHog `uuid`, Segment `messageId`, Amplitude `insert_id`) as a 52-bit integer:
 * Redis keeps a set of such numbers as an intset, 8 bytes an id, and 2^52 leaves collisions within one
 * user's window at about one in 10^8 for 10,000 events.
 */
function eventIdNumber(eventId: string | undefined): string {
  if (!eventId) return '';
  return String(Number.parseInt(hash('sha256', eventId).slice(0, 13), 16));
}

/** Short field names keep an action near 100–200 bytes in a stream entry. */
function encode(action: Action): string[] {
  const fields = ['t', action.type, 'd', action.description, 'a', action.at];
  if (action.page) fields.push('p', action.page);
  if (action.sessionId) fields.push('s', action.sessionId);
  if (action.repeat && action.repeat > 1) fields.push('r', String(action.repeat));
  // Only the exception is written: two bytes on an unverified action, none on the others.
  if (action.verified === false) fields.push('v', '0');
  return fields;
}

function decode(id: string, fields: string[]): StoredAction {
  const map = new Map<string, string>();
  for (let index = 0; index + 1 < fields.length; index += 2) map.set(fields[index]!, fields[index + 1]!);
  const action: StoredAction = {
    id,
    at: map.get('a') ?? '',
    type: (map.get('t') ?? 'custom') as Action['type'],
    description: map.get('d') ?? '',
  };
  const page = map.get('p');
  const sessionId = map.get('s');
  const repeat = Number(map.get('r') ?? 1);
  if (page) action.page = page;
  if (sessionId) action.sessionId = sessionId;
  if (repeat > 1) action.repeat = repeat;
  if (map.get('v') === '0') action.verified = false;
  return action;
}

type StreamEntries = [string, string[]][];

/**
 * The first half of a merge, on the anonymous id's slot: checks that the id may be merged, claims it
 * for the user (once: the pointer is only ever set when absent), and answers what it holds. The copy
 * into the user runs on the user's slot, so on Redis Cluster it cannot be in this script; the
 * entries are deleted afterwards by id, so what arrives in between is never lost.
 * KEYS: history stream, pending stream, identified-as pointer, identified marker, conversations set.
 * ARGV: the user id merged into, retention seconds, oldest kept id, most entries to move (per stream).
 * Returns JSON `{outcome, actions, pending}`, each stream's newest entries as `XREVRANGE` answers them.
 */
const CLAIM_MERGE = `
if redis.call('EXISTS', KEYS[4]) == 1 then return cjson.encode({outcome = 'identified'}) end
if redis.call('EXISTS', KEYS[5]) == 1 then return cjson.encode({outcome = 'has_conversation'}) end
if not redis.call('SET', KEYS[3], ARGV[1], 'NX', 'EX', ARGV[2]) then
  return cjson.encode({outcome = 'already_merged'})
end
return cjson.encode({
  outcome = 'merged',
  actions = redis.call('XREVRANGE', KEYS[1], '+', ARGV[3], 'COUNT', ARGV[4]),
  pending = redis.call('XREVRANGE', KEYS[2], '+', ARGV[3], 'COUNT', ARGV[4]),
})`;

/**
 * The last half of a merge: deletes the entries it copied, and the stream when nothing else is left.
 * KEYS: the stream. ARGV: the ids copied.
 */
const DELETE_COPIED = `
-- In slices: Lua's unpack takes only a few thousand values at once.
for first = 1, #ARGV, 1000 do
  redis.call('XDEL', KEYS[1], unpack(ARGV, first, math.min(first + 999, #ARGV)))
end
if redis.call('XLEN', KEYS[1]) == 0 then redis.call('DEL', KEYS[1]) end
return 1`;

/**
 * KEYS: identified-as pointer, identified marker, conversations set.
 * Returns `{pointer or false, marker exists, conversations exist}`.
 */
const IDENTITY_OF = `
return {
  redis.call('GET', KEYS[1]),
  redis.call('EXISTS', KEYS[2]),
  redis.call('EXISTS', KEYS[3]),
}`;

const appendActionsScript = new LuaScript(
  readFileSync(new URL('./lua/append-actions.lua', import.meta.url), 'utf8'),
);
const claimMergeScript = new LuaScript(CLAIM_MERGE);
const identityOfScript = new LuaScript(IDENTITY_OF);
const deleteCopiedScript = new LuaScript(DELETE_COPIED);

interface ClaimedMerge {
  outcome: 'merged' | 'identified' | 'has_conversation' | 'already_merged';
  /** cjson writes an empty table as `{}`. */
  actions?: StreamEntries | Record<string, never>;
  pending?: StreamEntries | Record<string, never>;
}

function entriesOf(entries: StreamEntries | Record<string, never> | undefined): StreamEntries {
  return Array.isArray(entries) ? entries : [];
}

/** Stream ids are `<ms>-<seq>`: ordered by time, then by sequence. */
function compareStreamIds(a: string, b: string): number {
  const [aMs, aSeq] = a.split('-').map(Number) as [number, number];
  const [bMs, bSeq] = b.split('-').map(Number) as [number, number];
  return aMs - bMs || aSeq - bSeq;
}

/**
 * Actions in one Redis stream per user. Stream ids order them and serve as delivery cursors; the
 * stream is capped by count (MAXLEN) and age (MINID), and the key expires with the retention.
 */
export class RedisActivityStore implements ActivityStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly limits: ActivityLimits,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async append(user: UserRef, actions: Action[], options: AppendOptions = {}): Promise<AppendResult> {
    const [result] = await this.appendAll([{ user, actions, options }]);
    return result as AppendResult;
  }

  async appendAll(appends: readonly UserAppend[]): Promise<AppendResult[]> {
    const calls = appends.map((append) => this.appendCall(append));
    const answers = await appendActionsScript.runInPipeline(
      this.redis,
      calls.filter((call) => call !== null),
    );
    let next = 0;
    return calls.map((call) => {
      if (call === null) return { ids: [], isNewUser: false, conversations: [] };
      const result = JSON.parse(answers[next++] as string) as {
        ids: string[] | Record<string, never>;
        isNew: boolean;
        conversations: string[] | Record<string, never>;
      };
      // cjson encodes an empty Lua table as `{}`.
      return {
        ids: Array.isArray(result.ids) ? result.ids : [],
        isNewUser: result.isNew,
        conversations: Array.isArray(result.conversations) ? result.conversations : [],
      };
    });
  }

  /** The script's keys and arguments for one user's append (see lua/append-actions.lua), or null for nothing to do. */
  private appendCall({ user, actions, options = {} }: UserAppend): ScriptCall | null {
    if (actions.length === 0 && !options.markIdentified) return null;
    const now = this.now().getTime();
    const window = this.limits.dedupeWindowSeconds ?? 7200;
    const bucket = Math.floor(now / 1000 / window);
    const retention =
      options.isAnonymous || options.pending
        ? (this.limits.anonymousRetentionSeconds ?? this.limits.retentionSeconds)
        : this.limits.retentionSeconds;
    const keys = [
      options.pending
        ? this.keys.pendingActions(user.productId, user.userId)
        : this.keys.actions(user.productId, user.userId),
      this.keys.identified(user.productId, user.userId),
      this.keys.seenEvents(user.productId, user.userId, bucket),
      this.keys.seenEvents(user.productId, user.userId, bucket - 1),
      this.keys.userConversations(user.productId, user.userId),
    ];
    const args = [
      String(this.limits.maxActions),
      String(now - this.limits.retentionSeconds * 1000),
      String(retention),
      String(this.limits.retentionSeconds),
      String(2 * window),
      options.markIdentified ? '1' : '0',
      options.pending ? '0' : '1',
    ];
    // Strings go to Redis as UTF-8, where a lone surrogate becomes U+FFFD.
    actions.forEach((action, index) => {
      const fields = encode(action);
      args.push(eventIdNumber(options.eventIds?.[index]), String(fields.length), ...fields);
    });
    return { keys, args };
  }

  async listAfter(user: UserRef, afterId: string | null, limit: number): Promise<StoredAction[]> {
    const start = afterId ? `(${afterId}` : this.oldestKeptId();
    const entries = (await this.redis.xrange(
      this.keys.actions(user.productId, user.userId),
      start,
      '+',
      'COUNT',
      limit,
    )) as StreamEntries;
    return entries.map(([id, fields]) => decode(id, fields)).filter((action) => this.isRetained(action.id));
  }

  async listRecent(user: UserRef, limit: number): Promise<StoredAction[]> {
    const entries = (await this.redis.xrevrange(
      this.keys.actions(user.productId, user.userId),
      '+',
      this.oldestKeptId(),
      'COUNT',
      limit,
    )) as StreamEntries;
    return entries.map(([id, fields]) => decode(id, fields)).reverse();
  }

  async merge(from: UserRef, into: UserRef): Promise<MergeOutcome> {
    const historyKey = this.keys.actions(from.productId, from.userId);
    const pendingKey = this.keys.pendingActions(from.productId, from.userId);
    const claimed = JSON.parse(
      (await claimMergeScript.run(
        this.redis,
        [
          historyKey,
          pendingKey,
          this.keys.identifiedAs(from.productId, from.userId),
          this.keys.identified(from.productId, from.userId),
          this.keys.userConversations(from.productId, from.userId),
        ],
        [
          into.userId,
          String(this.limits.retentionSeconds),
          this.oldestKeptId(),
          String(this.limits.maxActions),
        ],
      )) as string,
    ) as ClaimedMerge;
    if (claimed.outcome !== 'merged') return { kind: claimed.outcome };
    const history = entriesOf(claimed.actions);
    const pending = entriesOf(claimed.pending);
    const moved = [...history, ...pending]
      .map(([id, fields]) => decode(id, fields))
      // Two streams' ids do not interleave exactly: event time first, then arrival.
      .sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || compareStreamIds(a.id, b.id));
    await this.append(
      into,
      moved.map(({ id: _id, ...action }) => action),
      { markIdentified: true },
    );
    // Only what was copied: actions that arrived since the claim stay where they are.
    if (history.length > 0)
      await deleteCopiedScript.run(
        this.redis,
        [historyKey],
        history.map(([id]) => id),
      );
    if (pending.length > 0)
      await deleteCopiedScript.run(
        this.redis,
        [pendingKey],
        pending.map(([id]) => id),
      );
    return { kind: 'merged', moved: moved.length };
  }

  async identityOf(user: UserRef): Promise<IdentityState> {
    const [mergedInto, marked, conversations] = (await identityOfScript.run(
      this.redis,
      [
        this.keys.identifiedAs(user.productId, user.userId),
        this.keys.identified(user.productId, user.userId),
        this.keys.userConversations(user.productId, user.userId),
      ],
      [],
    )) as [string | null, number, number];
    return { mergedInto: mergedInto ?? null, isIdentified: marked === 1 || conversations === 1 };
  }

  /** MAXLEN/MINID trimming is approximate (`~`); reads apply the age bound exactly. */
  private oldestKeptId(): string {
    return String(this.now().getTime() - this.limits.retentionSeconds * 1000);
  }

  private isRetained(id: string): boolean {
    return Number(id.split('-')[0]) >= Number(this.oldestKeptId());
  }
}
