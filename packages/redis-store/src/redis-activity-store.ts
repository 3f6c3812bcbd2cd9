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
import { decodeAction as decode, encodeAction as encode } from './action-fields.js';
import type { RedisClient } from './create-redis.js';
import { defineLuaScript, LuaScript, type ScriptCall } from './lua-script.js';
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

type StreamEntries = [string, string[]][];

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
 * Actions in one Redis stream per user. Stream ids order them by arrival and serve as delivery
 * cursors (readers order by event time, see `byEventTime` in core); the stream is capped by count
 * (MAXLEN; at the cap an action older by event time than the oldest kept is left out instead of
 * evicting a newer one) and by age of arrival (MINID), and the key expires with the retention.
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
    return calls.map((call, position) => {
      if (call === null) return { ids: [], isNewUser: false, conversations: [] };
      const result = JSON.parse(answers[next++] as string) as {
        ids: string[] | Record<string, never>;
        kept: number[] | Record<string, never>;
        isNew: boolean;
        conversations: string[] | Record<string, never>;
      };
      // cjson encodes an empty Lua table as `{}`.
      const appendedIndexes = Array.isArray(result.kept) ? result.kept : [];
      const requested = appends[position]?.actions.length ?? 0;
      return {
        ids: Array.isArray(result.ids) ? result.ids : [],
        // Only when some were left out: absent means every action was appended.
        ...(appendedIndexes.length < requested ? { appendedIndexes } : {}),
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
