import type { Action } from '../actions/action.js';
import type {
  ActivityStore,
  AppendOptions,
  AppendResult,
  IdentityState,
  MergeOutcome,
  StoredAction,
  UserAppend,
  UserRef,
} from '../ports/activity-store.js';

/**
 * The port's contract in memory: append-ordered lists per user (history and pending), an id merged
 * at most once, never out of a marked user, and merge moves and clears.
 */
export class InMemoryActivityStore implements ActivityStore {
  readonly users = new Map<string, StoredAction[]>();
  readonly pending = new Map<string, StoredAction[]>();
  readonly identified = new Set<string>();
  /** Each user's linked conversations, as the store answers them with an append. */
  readonly conversations = new Map<string, string[]>();
  private readonly aliases = new Map<string, string>();
  private nextId = 0;

  async append(user: UserRef, actions: Action[], options: AppendOptions = {}): Promise<AppendResult> {
    if (options.markIdentified) this.identified.add(user.userId);
    if (actions.length === 0) return { ids: [], isNewUser: false, conversations: [] };
    const streams = options.pending ? this.pending : this.users;
    const isNewUser = !streams.has(user.userId);
    const list = streams.get(user.userId) ?? [];
    const ids = actions.map((action) => {
      this.nextId += 1;
      list.push({ ...action, id: String(this.nextId) });
      return String(this.nextId);
    });
    streams.set(user.userId, list);
    return {
      ids,
      isNewUser,
      conversations: options.pending ? [] : (this.conversations.get(user.userId) ?? []),
    };
  }

  async appendAll(appends: readonly UserAppend[]): Promise<AppendResult[]> {
    const results: AppendResult[] = [];
    for (const { user, actions, options } of appends) results.push(await this.append(user, actions, options));
    return results;
  }

  async listAfter(user: UserRef): Promise<StoredAction[]> {
    return this.users.get(user.userId) ?? [];
  }

  async listRecent(user: UserRef): Promise<StoredAction[]> {
    return this.users.get(user.userId) ?? [];
  }

  async merge(from: UserRef, into: UserRef): Promise<MergeOutcome> {
    if (this.identified.has(from.userId)) return { kind: 'identified' };
    if (this.aliases.has(from.userId)) return { kind: 'already_merged' };
    this.aliases.set(from.userId, into.userId);
    const moved = [...(this.users.get(from.userId) ?? []), ...(this.pending.get(from.userId) ?? [])];
    this.users.delete(from.userId);
    this.pending.delete(from.userId);
    await this.append(
      into,
      moved.map(({ id: _id, ...action }) => action),
      { markIdentified: true },
    );
    return { kind: 'merged', moved: moved.length };
  }

  async identityOf(user: UserRef): Promise<IdentityState> {
    return {
      mergedInto: this.aliases.get(user.userId) ?? null,
      isIdentified: this.identified.has(user.userId),
    };
  }
}
