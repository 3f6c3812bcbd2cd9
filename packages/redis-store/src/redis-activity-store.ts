import { createHash } from 'node:crypto';
import type {
  Action,
  ActivityStore,
  AppendOptions,
  AppendResult,
  IdentityState,
  MergeOutcome,
  StoredAction,
  UserRef,
} from '@threadline/core';
import { decodeAction as decode, encodeAction as encode } from './action-fields.js';
import type { RedisClient } from './create-redis.js';
import { defineLuaScript, LuaScript } from './lua-script.js';
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
  return String(Number.parseInt(createHash('sha256').update(eventId).digest('hex').slice(0, 13), 16));
}

type StreamEntries = [string, string[]][];

/**
/**
 * Appends every action of one call in one command: skips actions whose client event id was seen in
 * the dedupe window, `XADD`s the rest (capped by count), trims by age, and sets the expiry.
 *
 * KEYS: 1 the stream (history or pending); 2 the user's identified marker; 3 the event ids seen in
 * the current dedupe bucket; 4 those of the previous bucket (a set each, of small integers: intsets).
 * ARGV: 1 max length; 2 oldest kept id; 3 the stream's retention (s; the expiry only grows, so an
 * anonymous-looking event never shortens an identified user's stream); 4 the marker's retention (s);
 * 5 the dedupe buckets' expiry (s); 6 the actions' fields as one JSON array of arrays; 7 their event
 * ids as a JSON array ("" for none); 8 `1` to mark the user identified.
 * Returns JSON `{ ids, kept, isNew }`: the appended ids, which actions they are (0-based), and
 * whether the stream did not exist before.
 */
const APPEND_ACTIONS = `
local key = KEYS[1]
if ARGV[8] == '1' then redis.call('SET', KEYS[2], '1', 'EX', ARGV[4]) end
local isNew = redis.call('EXISTS', key) == 0
local eventIds = cjson.decode(ARGV[7])
local ids = {}
local kept = {}
local seenAny = false
for index, fields in ipairs(cjson.decode(ARGV[6])) do
  local eventId = eventIds[index]
  local isDuplicate = false
  if eventId ~= '' then
    seenAny = true
    isDuplicate = redis.call('SISMEMBER', KEYS[4], eventId) == 1 or redis.call('SADD', KEYS[3], eventId) == 0
  end
  if not isDuplicate then
    ids[#ids + 1] = redis.call('XADD', key, 'MAXLEN', '~', ARGV[1], '*', unpack(fields))
    kept[#kept + 1] = index - 1
  end
end
if seenAny then redis.call('EXPIRE', KEYS[3], ARGV[5]) end
if #ids > 0 then
  redis.call('XTRIM', key, 'MINID', '~', ARGV[2])
  if redis.call('TTL', key) < tonumber(ARGV[3]) then redis.call('EXPIRE', key, ARGV[3]) end
end
return cjson.encode({ ids = ids, kept = kept, isNew = isNew and #ids > 0 })`;

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

/** A surrogate without its other half; JSON would escape it, and Lua's cjson refuses that escape. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * The actions' fields as JSON for the script. Lone surrogates become U+FFFD first, which is also what
 * writing them to Redis as UTF-8 stored before, so the stored bytes do not change.
 */
function encodeAll(actions: Action[]): string {
  const json = JSON.stringify(actions.map(encode));
  // JSON.stringify writes a lone surrogate as a `\udxxx` escape (and nothing else in that form but
  // an escaped backslash followed by `ud`, which only costs a second, identical encoding).
  if (!json.includes('\\ud')) return json;
  return JSON.stringify(actions.map((action) => encode(action).map(replaceLoneSurrogates)));
}

function replaceLoneSurrogates(text: string): string {
  return text.replace(LONE_SURROGATE, '\ufffd');
}

const appendActionsScript = new LuaScript(APPEND_ACTIONS);
const identityOfScript = new LuaScript(IDENTITY_OF);
const claimMergeScript = defineLuaScript<
  'history' | 'pending' | 'identifiedAs' | 'identified' | 'conversations',
  'into' | 'retentionSeconds' | 'oldestKeptId' | 'maxEntries',
  ClaimedMerge
>(new URL('./lua/claim-merge.lua', import.meta.url));
const deleteCopiedScript = defineLuaScript<'stream', 'ids', { deleted: number }>(
  new URL('./lua/delete-copied.lua', import.meta.url),
);

interface ClaimedMerge {
  outcome: 'merged' | 'identified' | 'has_conversation' | 'already_merged';
  actions?: StreamEntries;
  pending?: StreamEntries;
}

function entriesOf(entries: StreamEntries | undefined): StreamEntries {
  return entries ?? [];
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
    if (actions.length === 0 && !options.markIdentified) return { ids: [], isNewUser: false };
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
    ];
    const args = [
      String(this.limits.maxActions),
      String(now - this.limits.retentionSeconds * 1000),
      String(retention),
      String(this.limits.retentionSeconds),
      String(2 * window),
      actions.length === 0 ? '[]' : encodeAll(actions),
      JSON.stringify(actions.map((_action, index) => eventIdNumber(options.eventIds?.[index]))),
      options.markIdentified ? '1' : '0',
    ];
    const result = JSON.parse((await appendActionsScript.run(this.redis, keys, args)) as string) as {
      ids: string[] | Record<string, never>;
      kept: number[] | Record<string, never>;
      isNew: boolean;
    };
    // cjson encodes an empty Lua table as `{}`.
    const appendedIndexes = Array.isArray(result.kept) ? result.kept : [];
    return {
      ids: Array.isArray(result.ids) ? result.ids : [],
      // Only when some were left out: absent means every action was appended.
      ...(appendedIndexes.length < actions.length ? { appendedIndexes } : {}),
      isNewUser: result.isNew,
    };
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
    const claimed = await claimMergeScript.run(
      this.redis,
      {
        history: historyKey,
        pending: pendingKey,
        identifiedAs: this.keys.identifiedAs(from.productId, from.userId),
        identified: this.keys.identified(from.productId, from.userId),
        conversations: this.keys.userConversations(from.productId, from.userId),
      },
      {
        into: into.userId,
        retentionSeconds: String(this.limits.retentionSeconds),
        oldestKeptId: this.oldestKeptId(),
        maxEntries: String(this.limits.maxActions),
      },
    );
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
    for (const [stream, entries] of [
      [historyKey, history],
      [pendingKey, pending],
    ] as const) {
      if (entries.length > 0)
        await deleteCopiedScript.run(this.redis, { stream }, { ids: entries.map(([id]) => id) });
    }
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
