import { createHash } from 'node:crypto';
import type {
  Action,
  ActivityStore,
  AppendOptions,
  AppendResult,
  StoredAction,
  UserRef,
} from '@threadline/core';
import type { RedisClient } from './create-redis.js';
import { LuaScript } from './lua-script.js';
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

/** Short field names keep an action near 100–200 bytes in a stream entry. */
function encode(action: Action): string[] {
  const fields = ['t', action.type, 'd', action.description, 'a', action.at];
  if (action.page) fields.push('p', action.page);
  if (action.sessionId) fields.push('s', action.sessionId);
  if (action.repeat && action.repeat > 1) fields.push('r', String(action.repeat));
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
  return action;
}

type StreamEntries = [string, string[]][];

/**
 * Appends every action of one call in one command: skips actions whose client event id was seen in
 * the dedupe window, `XADD`s the rest (capped by count), trims by age, and sets the expiry.
 *
 * KEYS: 1 the actions stream; 2 the event ids seen in the current dedupe bucket; 3 those of the
 * previous bucket (a set each, of small integers: intsets).
 * ARGV: 1 max length; 2 oldest kept id; 3 the stream's retention (s; the expiry only grows, so an
 * anonymous-looking event never shortens an identified user's stream); 4 the dedupe buckets' expiry
 * (s); 5 the actions' fields as one JSON array of arrays; 6 their event ids as a JSON array ("" for none).
 * Returns JSON `{ ids, isNew }`: the appended ids, and whether the stream did not exist before.
 */
const APPEND_ACTIONS = `
local key = KEYS[1]
local isNew = redis.call('EXISTS', key) == 0
local eventIds = cjson.decode(ARGV[6])
local ids = {}
local seenAny = false
for index, fields in ipairs(cjson.decode(ARGV[5])) do
  local eventId = eventIds[index]
  local isDuplicate = false
  if eventId ~= '' then
    seenAny = true
    isDuplicate = redis.call('SISMEMBER', KEYS[3], eventId) == 1 or redis.call('SADD', KEYS[2], eventId) == 0
  end
  if not isDuplicate then
    ids[#ids + 1] = redis.call('XADD', key, 'MAXLEN', '~', ARGV[1], '*', unpack(fields))
  end
end
if seenAny then redis.call('EXPIRE', KEYS[2], ARGV[4]) end
if #ids > 0 then
  redis.call('XTRIM', key, 'MINID', '~', ARGV[2])
  if redis.call('TTL', key) < tonumber(ARGV[3]) then redis.call('EXPIRE', key, ARGV[3]) end
end
return cjson.encode({ ids = ids, isNew = isNew and #ids > 0 })`;

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
    if (actions.length === 0) return { ids: [], isNewUser: false };
    const now = this.now().getTime();
    const window = this.limits.dedupeWindowSeconds ?? 7200;
    const bucket = Math.floor(now / 1000 / window);
    const retention = options.isAnonymous
      ? (this.limits.anonymousRetentionSeconds ?? this.limits.retentionSeconds)
      : this.limits.retentionSeconds;
    const keys = [
      this.keys.actions(user.productId, user.userId),
      this.keys.seenEvents(user.productId, user.userId, bucket),
      this.keys.seenEvents(user.productId, user.userId, bucket - 1),
    ];
    const args = [
      String(this.limits.maxActions),
      String(now - this.limits.retentionSeconds * 1000),
      String(retention),
      String(2 * window),
      encodeAll(actions),
      JSON.stringify(actions.map((_action, index) => eventIdNumber(options.eventIds?.[index]))),
    ];
    const result = JSON.parse((await appendActionsScript.run(this.redis, keys, args)) as string) as {
      ids: string[] | Record<string, never>;
      isNew: boolean;
    };
    // cjson encodes an empty Lua table as `{}`.
    return { ids: Array.isArray(result.ids) ? result.ids : [], isNewUser: result.isNew };
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

  async merge(from: UserRef, into: UserRef): Promise<number> {
    // Remembered before the move: posthog-js sends `$identify` at once but the anonymous events
    // before it in its next batch, which must follow the user rather than start a new stream.
    await this.redis.set(
      this.keys.identifiedAs(from.productId, from.userId),
      into.userId,
      'EX',
      this.limits.retentionSeconds,
    );
    const moved = await this.listAfter(from, null, this.limits.maxActions);
    if (moved.length === 0) return 0;
    await this.append(
      into,
      moved.map(({ id: _id, ...action }) => action),
    );
    await this.redis.del(this.keys.actions(from.productId, from.userId));
    return moved.length;
  }

  async identifiedAs(user: UserRef): Promise<string | null> {
    return this.redis.get(this.keys.identifiedAs(user.productId, user.userId));
  }

  /** MAXLEN/MINID trimming is approximate (`~`); reads apply the age bound exactly. */
  private oldestKeptId(): string {
    return String(this.now().getTime() - this.limits.retentionSeconds * 1000);
  }

  private isRetained(id: string): boolean {
    return Number(id.split('-')[0]) >= Number(this.oldestKeptId());
  }
}
