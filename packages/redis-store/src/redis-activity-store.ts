import type { Action, ActivityStore, StoredAction, UserRef } from '@threadline/core';
import type { RedisClient } from './create-redis.js';
import { LuaScript } from './lua-script.js';
import type { RedisKeys } from './redis-keys.js';

export interface ActivityLimits {
  /** Most actions kept per user. */
  maxActions: number;
  retentionSeconds: number;
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
 * Appends every action of one call in one command: `XADD` each (capped by count), trim by age, renew
 * the expiry, and answer the new ids. As atomic as the `MULTI` it replaces, but one command and one
 * reply instead of one per action. ARGV: max length, oldest kept id, retention seconds, and the
 * actions' fields as one JSON array of arrays (one argument instead of ten per action).
 */
const APPEND_ACTIONS = `
local key = KEYS[1]
local ids = {}
for index, fields in ipairs(cjson.decode(ARGV[4])) do
  ids[index] = redis.call('XADD', key, 'MAXLEN', '~', ARGV[1], '*', unpack(fields))
end
redis.call('XTRIM', key, 'MINID', '~', ARGV[2])
redis.call('EXPIRE', key, ARGV[3])
return ids`;

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

  async append(user: UserRef, actions: Action[]): Promise<string[]> {
    if (actions.length === 0) return [];
    const key = this.keys.actions(user.productId, user.userId);
    const oldestKept = this.now().getTime() - this.limits.retentionSeconds * 1000;
    const args = [
      String(this.limits.maxActions),
      String(oldestKept),
      String(this.limits.retentionSeconds),
      encodeAll(actions),
    ];
    return (await appendActionsScript.run(this.redis, [key], args)) as string[];
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
