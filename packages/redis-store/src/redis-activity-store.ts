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
import { Cluster } from 'ioredis';
import { decodeAction as decode, encodeAction as encode } from './action-fields.js';
import type { RedisClient } from './create-redis.js';
import { eventIdNumber } from './event-id-number.js';
import { defineLuaScript, LuaScript, type ScriptCall } from './lua-script.js';
import type { RedisKeys } from './redis-keys.js';
import type { RedisProductFeed } from './redis-product-feed.js';

export interface ActivityLimits {
  /** Most actions kept per user. */
  maxActions: number;
  retentionSeconds: number;
  /** Streams of anonymous ids only: how long they are kept (default: `retentionSeconds`). */
  anonymousRetentionSeconds?: number;
  /** Client event ids are remembered at least this long (two buckets of it); default 7,200 s. */
  dedupeWindowSeconds?: number;
}

type StreamEntries = [string, string[]][];

/** One user's part of a script call: its five keys and its ARGV section. */
interface Section {
  productId: string;
  keys: string[];
  args: string[];
  actionCount: number;
}

/**
 * A call takes more users until it holds this many actions: Redis runs a script without serving
 * anyone else, so a 1,000-event batch goes as several calls of a few milliseconds or less, in one
 * pipeline (in order), and a request of 50 users of one event each is still one call.
 */
const actionsPerCall = 200;

/** What the script answers for one user; cjson writes an empty list as `{}`. */
interface ScriptAnswer {
  ids: string[] | Record<string, never>;
  kept: number[] | Record<string, never>;
  isNew: boolean;
  conversations: string[] | Record<string, never>;
  expired: number;
}

function resultOf(answer: ScriptAnswer, requested: number): AppendResult {
  const appendedIndexes = Array.isArray(answer.kept) ? answer.kept : [];
  return {
    ids: Array.isArray(answer.ids) ? answer.ids : [],
    // Only when some were left out: absent means every action was appended.
    ...(appendedIndexes.length < requested ? { appendedIndexes } : {}),
    isNewUser: answer.isNew,
    conversations: Array.isArray(answer.conversations) ? answer.conversations : [],
    ...(answer.expired > 0 ? { expired: answer.expired } : {}),
  };
}

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

/** The feed's key and the script's feed arguments for a call of this product's users. */
function feedArguments(feed: RedisProductFeed, productId: string): { key: string; args: string[] } {
  const { key, maxEntries, oldestKeptId, ttlSeconds } = feed.appendSettings(productId);
  return { key, args: [String(maxEntries), oldestKeptId, String(ttlSeconds)] };
}

/**
 * Actions in one Redis stream per user. Stream ids order them by arrival and serve as delivery
 * cursors (readers order by event time, see `byEventTime` in core); the stream is capped by count
 * (MAXLEN; at the cap an action older by event time than the oldest kept is left out instead of
 * evicting a newer one) and by age: an action older by event time than the retention is not stored,
 * nor returned once it gets that old. MINID still trims by arrival, the key expires with the
 * retention.
 */
export class RedisActivityStore implements ActivityStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly limits: ActivityLimits,
    private readonly now: () => Date = () => new Date(),
    /**
     * Set: every newly stored history action is written to its product's feed too, by the same
     * script call, after its user's stream. A single Redis only: on a Cluster the feed is on a slot
     * of its own, so there the store is wrapped in core's `withProductFeed` (`createUserStores`).
     */
    private readonly feed?: RedisProductFeed,
  ) {
    if (feed && redis instanceof Cluster)
      throw new Error('on Redis Cluster the feed is written by withProductFeed, not by the append script');
  }

  async append(user: UserRef, actions: Action[], options: AppendOptions = {}): Promise<AppendResult> {
    const [result] = await this.appendAll([{ user, actions, options }]);
    return result as AppendResult;
  }

  /**
   * Every user's append of a request in as few script calls as Redis allows: on a single Redis one
   * call per product (in practice one per request, writing the feed too); on Redis Cluster one call
   * per user's hash tag (one slot each), all sent together.
   */
  appendAll(appends: readonly UserAppend[]): Promise<AppendResult[]> {
    return this.write(appends, this.feed);
  }

  private async write(
    appends: readonly UserAppend[],
    feed: RedisProductFeed | undefined,
  ): Promise<AppendResult[]> {
    const sections = appends.map((append) => this.sectionOf(append));
    const results: AppendResult[] = appends.map(() => ({ ids: [], isNewUser: false, conversations: [] }));
    const isCluster = this.redis instanceof Cluster;
    // Standalone: by product (one feed key a call), a new call past `actionsPerCall`. Cluster: by
    // hash tag (one slot a call).
    const groups: { key: string; positions: number[]; actions: number }[] = [];
    const open = new Map<string, (typeof groups)[number]>();
    sections.forEach((section, position) => {
      if (!section) return;
      const key = isCluster
        ? section.keys[0]!.slice(0, section.keys[0]!.indexOf('}') + 1)
        : section.productId;
      let group = open.get(key);
      if (!group || (!isCluster && group.actions >= actionsPerCall)) {
        group = { key, positions: [], actions: 0 };
        groups.push(group);
        open.set(key, group);
      }
      group.positions.push(position);
      group.actions += section.actionCount;
    });
    const calls = groups.map(({ positions }) =>
      this.callOf(
        positions.map((position) => sections[position] as Section),
        !feed ? null : feedArguments(feed, (sections[positions[0]!] as Section).productId),
      ),
    );
    const answers = await appendActionsScript.runInPipeline(this.redis, calls);
    groups.forEach(({ positions }, group) => {
      const answer = JSON.parse(answers[group] as string) as ScriptAnswer[];
      positions.forEach((position, index) => {
        results[position] = resultOf(answer[index] as ScriptAnswer, appends[position]?.actions.length ?? 0);
      });
    });
    return results;
  }

  /** The script's keys and arguments for one user (see lua/append-actions.lua), or null for nothing to do. */
  private sectionOf({ user, actions, options = {} }: UserAppend): Section | null {
    if (actions.length === 0 && !options.markIdentified) return null;
    const bucket = Math.floor(this.now().getTime() / 1000 / this.dedupeWindow());
    const retention =
      options.isAnonymous || options.pending
        ? (this.limits.anonymousRetentionSeconds ?? this.limits.retentionSeconds)
        : this.limits.retentionSeconds;
    const { productId, userId } = user;
    const keys = [
      options.pending ? this.keys.pendingActions(productId, userId) : this.keys.actions(productId, userId),
      this.keys.identified(productId, userId),
      this.keys.seenEvents(productId, userId, bucket),
      this.keys.seenEvents(productId, userId, bucket - 1),
      this.keys.userConversations(productId, userId),
    ];
    const args: string[] = [
      String(retention),
      this.oldestKeptAt(retention),
      options.markIdentified ? '1' : '0',
      options.pending ? '0' : '1',
      userId,
      String(actions.length),
    ];
    // Strings go to Redis as UTF-8, where a lone surrogate becomes U+FFFD.
    const eventIds = options.eventIds;
    for (let index = 0; index < actions.length; index += 1) {
      const fields = encode(actions[index] as Action);
      args.push(eventIdNumber(eventIds?.[index]), String(fields.length));
      for (const field of fields) args.push(field);
    }
    return { productId, keys, args, actionCount: actions.length };
  }

  private dedupeWindow(): number {
    return this.limits.dedupeWindowSeconds ?? 7200;
  }

  private callOf(sections: Section[], feed: { key: string; args: string[] } | null): ScriptCall {
    const now = this.now().getTime();
    const keys: string[] = [];
    const args: string[] = [
      String(this.limits.maxActions),
      String(now - this.limits.retentionSeconds * 1000),
      String(this.limits.retentionSeconds),
      String(2 * this.dedupeWindow()),
      ...(feed ? feed.args : ['', '', '']),
      this.oldestKeptAt(this.limits.retentionSeconds),
    ];
    for (const section of sections) {
      for (const key of section.keys) keys.push(key);
      for (const arg of section.args) args.push(arg);
    }
    if (feed) keys.push(feed.key);
    return { keys, args };
  }

  async listAfter(user: UserRef, afterId: string | null, limit: number): Promise<StoredAction[]> {
    const key = this.keys.actions(user.productId, user.userId);
    const { oldestId } = this.ageBound();
    const start = afterId && compareStreamIds(afterId, `${oldestId}-0`) >= 0 ? `(${afterId}` : oldestId;
    return this.readRetained(start, limit, (from) => this.redis.xrange(key, from, '+', 'COUNT', limit));
  }

  async listRecent(user: UserRef, limit: number): Promise<StoredAction[]> {
    const key = this.keys.actions(user.productId, user.userId);
    const { oldestId } = this.ageBound();
    const newestFirst = await this.readRetained('+', limit, (from) =>
      this.redis.xrevrange(key, from, oldestId, 'COUNT', limit),
    );
    return newestFirst.reverse();
  }

  /**
   * Pages of `limit` entries from `start` (each next page after the last entry read), the ones
   * hidden by age left out, until `limit` are found or the stream ends: a run of expired entries never
   * reads as the end, so a delivery's cursor moves past what it hides (hidden for good, the bound only
   * moves on) and stops before what it has not read.
   */
  private async readRetained(
    start: string,
    limit: number,
    readPage: (from: string) => Promise<unknown>,
  ): Promise<StoredAction[]> {
    const { oldestAt } = this.ageBound();
    const found: StoredAction[] = [];
    let from = start;
    while (found.length < limit) {
      const entries = (await readPage(from)) as StreamEntries;
      for (const [id, fields] of entries) {
        const action = decode(id, fields);
        if (action.at >= oldestAt) found.push(action);
        if (found.length === limit) break;
      }
      if (entries.length < limit) break;
      from = `(${entries.at(-1)![0]}`;
    }
    return found;
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
    const { oldestAt } = this.ageBound();
    const moved = [...history, ...pending]
      .map(([id, fields]) => decode(id, fields))
      .filter((action) => action.at >= oldestAt)
      // Two streams' ids do not interleave exactly: event time first, then arrival.
      .sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || compareStreamIds(a.id, b.id));
    // Not fed: a merge's copy is not new activity.
    await this.write(
      [
        {
          user: into,
          actions: moved.map(({ id: _id, ...action }) => action),
          options: { markIdentified: true },
        },
      ],
      undefined,
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

  /** The oldest event time kept with this retention, as stored (`toISOString`). */
  private oldestKeptAt(retentionSeconds: number): string {
    return new Date(this.now().getTime() - retentionSeconds * 1000).toISOString();
  }

  /**
   * What a read returns, both inclusive: arrived within the retention (the id range, what MINID
   * keeps) and happened within it (ISO times compare as strings). An event time is at most its
   * arrival unless dated ahead of it (PostHog keeps up to 23 h), so trimming by arrival never takes
   * an entry the event-time bound would still show, except such a one.
   */
  private ageBound(): { oldestId: string; oldestAt: string } {
    return { oldestId: this.oldestKeptId(), oldestAt: this.oldestKeptAt(this.limits.retentionSeconds) };
  }
}
