import { createHash } from 'node:crypto';
import type { Workspace, WorkspaceInstall, WorkspaceRegistry } from '@threadline/core';
import type { RedisClient } from './create-redis.js';
import { eraseConversations } from './erase-user.js';
import { defineLuaScript } from './lua-script.js';
import { RedisAccessKeyStore } from './redis-access-key-store.js';
import type { RedisKeys } from './redis-keys.js';
import { RedisSubscriptionStore } from './redis-subscription-store.js';
import { globLiteral, scanKeys } from './scan-keys.js';
import type { TokenCipher } from './token-cipher.js';

/** A workspace as `workspaces show` tells it: never the token. */
export interface WorkspaceDetails extends Workspace {
  /** Epoch ms of the latest install (the first one, or a reinstall). */
  installedAt: number;
  /** Epoch ms of the latest webhook or delivery, or null. */
  lastSeenAt: number | null;
  /** The id of the key the token is sealed with, or null when there is no token. */
  tokenKeyId: string | null;
  captureKeys: number;
  mcpKeyIds: string[];
}

export interface WorkspaceRemoval {
  productId: string;
  /** Access (MCP) keys revoked and capture keys deleted. */
  accessKeys: number;
  captureKeys: number;
  /** Activity keys (streams, dedupe sets, identity pointers, the feed) deleted. */
  activityKeys: number;
  conversations: number;
  subscriptions: number;
}

export interface RekeyReport {
  /** Sealed again with the first key. */
  rekeyed: number;
  /** Already under the first key. */
  current: number;
  /** Could not be opened with any configured key (named by product id, never by token). */
  unreadable: string[];
}

interface StoredWorkspace {
  appId: string;
  adminId: string;
  apiBaseUrl: string;
  createdAt: number;
  installedAt: number;
}

const replaceSealedToken = defineLuaScript<
  'tokens',
  'productId' | 'expected' | 'replacement',
  { replaced: number }
>(new URL('./lua/replace-sealed-token.lua', import.meta.url));

const productIdPattern = /^[A-Za-z0-9._-]{1,64}$/;

/** The product id of a workspace first installed with this app id: `intercom-<app id>`, kept on reinstall. */
export function productIdOfAppId(appId: string): string {
  return `intercom-${appId.replace(/[^A-Za-z0-9._-]/g, '-')}`.slice(0, 64);
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function workspaceOf(productId: string, stored: StoredWorkspace): Workspace {
  return {
    productId,
    appId: stored.appId,
    adminId: stored.adminId,
    apiBaseUrl: stored.apiBaseUrl,
    source: 'oauth',
    createdAt: stored.createdAt,
  };
}

/**
 * Installed workspaces, under one hash tag (`{ws}`, one Redis Cluster slot) so an install, a reinstall
 * and a removal each change every hash of the set at once: the record, the sealed token, the app id
 * index, last-seen, and the capture key index. Tokens are sealed with `TokenCipher` and opened only by
 * `accessToken`; without a cipher (a CLI with no THREADLINE_ENCRYPTION_KEY) everything but tokens works.
 */
export class RedisWorkspaceStore implements WorkspaceRegistry {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly cipher: TokenCipher | null,
  ) {}

  async byProduct(productId: string): Promise<Workspace | null> {
    const json = await this.redis.hget(this.keys.workspaces(), productId);
    return json === null ? null : workspaceOf(productId, JSON.parse(json) as StoredWorkspace);
  }

  async byAppId(appId: string): Promise<Workspace | null> {
    const productId = await this.redis.hget(this.keys.workspaceAppIds(), appId);
    return productId === null ? null : this.byProduct(productId);
  }

  async accessToken(productId: string): Promise<string | null> {
    const sealed = await this.redis.hget(this.keys.workspaceTokens(), productId);
    if (sealed === null) return null;
    return this.requireCipher().open(sealed, productId);
  }

  async list(): Promise<Workspace[]> {
    const all = await this.redis.hgetall(this.keys.workspaces());
    return Object.entries(all)
      .map(([productId, json]) => workspaceOf(productId, JSON.parse(json) as StoredWorkspace))
      .sort((a, b) => a.createdAt - b.createdAt || a.productId.localeCompare(b.productId));
  }

  /**
   * Stores an install. A workspace installed before (same app id) keeps its product id, creation time,
   * keys and data; its token, admin and API base URL are replaced.
   */
  async save(install: WorkspaceInstall, now: number): Promise<{ workspace: Workspace; isNew: boolean }> {
    const cipher = this.requireCipher();
    const productId = await this.claimProductId(install.appId);
    const previousJson = await this.redis.hget(this.keys.workspaces(), productId);
    const previous = previousJson === null ? null : (JSON.parse(previousJson) as StoredWorkspace);
    const stored: StoredWorkspace = {
      appId: install.appId,
      adminId: install.adminId,
      apiBaseUrl: install.apiBaseUrl,
      createdAt: previous?.createdAt ?? now,
      installedAt: now,
    };
    await this.exec(
      this.redis
        .multi()
        .hset(this.keys.workspaces(), productId, JSON.stringify(stored))
        .hset(this.keys.workspaceTokens(), productId, cipher.seal(install.accessToken, productId)),
    );
    return { workspace: workspaceOf(productId, stored), isNew: previous === null };
  }

  async details(productId: string): Promise<WorkspaceDetails | null> {
    const [json, sealed, lastSeen, captureIndex, accessKeys] = await Promise.all([
      this.redis.hget(this.keys.workspaces(), productId),
      this.redis.hget(this.keys.workspaceTokens(), productId),
      this.redis.hget(this.keys.workspaceLastSeen(), productId),
      this.redis.hgetall(this.keys.workspaceCaptureKeys()),
      new RedisAccessKeyStore(this.redis, this.keys).list(),
    ]);
    if (json === null) return null;
    const stored = JSON.parse(json) as StoredWorkspace;
    return {
      ...workspaceOf(productId, stored),
      installedAt: stored.installedAt,
      lastSeenAt: lastSeen === null ? null : Number(lastSeen),
      tokenKeyId: sealed === null ? null : (sealed.split('.')[1] ?? null),
      captureKeys: Object.values(captureIndex).filter((product) => product === productId).length,
      mcpKeyIds: accessKeys.filter((key) => key.productId === productId).map((key) => key.id),
    };
  }

  /** Records the workspace was last heard from (an accepted webhook) at `at` (ms). */
  async touch(productId: string, at: number): Promise<void> {
    await this.redis.hset(this.keys.workspaceLastSeen(), productId, String(at));
  }

  /** Adds a capture key (only its SHA-256 is kept). */
  async addCaptureKey(productId: string, captureKey: string): Promise<void> {
    await this.redis.hset(this.keys.workspaceCaptureKeys(), sha256(captureKey), productId);
  }

  /** The product a workspace capture key belongs to, or null. */
  async productOfCaptureKey(captureKey: string): Promise<string | null> {
    return this.redis.hget(this.keys.workspaceCaptureKeys(), sha256(captureKey));
  }

  /**
   * Erases a workspace: its record and token first (so nothing more is sent as it), then its MCP and
   * capture keys, push subscriptions, conversations (links, delivery state, notes records) and activity.
   * Answers null when no such workspace is installed. Scans the keyspace: an operator command.
   */
  async remove(productId: string): Promise<WorkspaceRemoval | null> {
    const json = await this.redis.hget(this.keys.workspaces(), productId);
    if (json === null) return null;
    const stored = JSON.parse(json) as StoredWorkspace;
    const captureIndex = await this.redis.hgetall(this.keys.workspaceCaptureKeys());
    const captureHashes = Object.entries(captureIndex)
      .filter(([, product]) => product === productId)
      .map(([hash]) => hash);
    const transaction = this.redis
      .multi()
      .hdel(this.keys.workspaces(), productId)
      .hdel(this.keys.workspaceTokens(), productId)
      .hdel(this.keys.workspaceLastSeen(), productId);
    if (captureHashes.length > 0) transaction.hdel(this.keys.workspaceCaptureKeys(), ...captureHashes);
    await this.exec(transaction);
    if ((await this.redis.hget(this.keys.workspaceAppIds(), stored.appId)) === productId) {
      await this.redis.hdel(this.keys.workspaceAppIds(), stored.appId);
    }

    const accessKeys = new RedisAccessKeyStore(this.redis, this.keys);
    let revoked = 0;
    for (const record of await accessKeys.list()) {
      if (record.productId === productId && (await accessKeys.revoke(record.id))) revoked += 1;
    }
    const subscriptionStore = new RedisSubscriptionStore(this.redis, this.keys);
    let subscriptions = 0;
    for (const subscription of await subscriptionStore.list()) {
      if (subscription.productId === productId && (await subscriptionStore.remove(subscription.id)))
        subscriptions += 1;
    }

    const conversations = new Set<string>();
    const prefix = globLiteral(this.keys.prefix);
    for (const pattern of [`${prefix}:{c:*}:link`, `${prefix}:{c:*}:lifecycle`]) {
      for (const key of await scanKeys(this.redis, pattern)) {
        const [product, conversationId] = await this.redis.hmget(key, 'productId', 'conversationId');
        if (product === productId && conversationId) conversations.add(conversationId);
      }
    }
    await eraseConversations(this.redis, this.keys, [...conversations]);

    const activity = [
      ...(await scanKeys(this.redis, `${prefix}:{u:${globLiteral(encodeURIComponent(productId))}:*`)),
      this.keys.productFeed(productId),
    ];
    let activityKeys = 0;
    // One key per DEL: each user's keys live in their own Cluster slot.
    for (const key of activity) activityKeys += await this.redis.del(key);
    return {
      productId,
      accessKeys: revoked,
      captureKeys: captureHashes.length,
      activityKeys,
      conversations: conversations.size,
      subscriptions,
    };
  }

  /** Seals every token again with the first key (after a new key was listed first). */
  async rekey(): Promise<RekeyReport> {
    const cipher = this.requireCipher();
    const report: RekeyReport = { rekeyed: 0, current: 0, unreadable: [] };
    const tokens = await this.redis.hgetall(this.keys.workspaceTokens());
    for (const [productId, sealed] of Object.entries(tokens)) {
      if (cipher.keyIdOf(sealed) === cipher.currentKeyId) {
        report.current += 1;
        continue;
      }
      let plain: string;
      try {
        plain = cipher.open(sealed, productId);
      } catch {
        report.unreadable.push(productId);
        continue;
      }
      const { replaced } = await replaceSealedToken.run(
        this.redis,
        { tokens: this.keys.workspaceTokens() },
        { productId, expected: sealed, replacement: cipher.seal(plain, productId) },
      );
      report.rekeyed += replaced;
    }
    report.unreadable.sort();
    return report;
  }

  /** The product id for an app id: the one it had, or a new one reserved with `HSETNX`. */
  private async claimProductId(appId: string): Promise<string> {
    const index = this.keys.workspaceAppIds();
    const known = await this.redis.hget(index, appId);
    if (known !== null) return known;
    const base = productIdOfAppId(appId);
    const taken = new Set(Object.values(await this.redis.hgetall(index)));
    let candidate = base;
    for (let suffix = 2; taken.has(candidate) || !productIdPattern.test(candidate); suffix += 1) {
      candidate = `${base.slice(0, 58)}-${suffix}`;
    }
    await this.redis.hsetnx(index, appId, candidate);
    const claimed = await this.redis.hget(index, appId);
    if (claimed === null) throw new Error('workspace app id index vanished during an install');
    return claimed;
  }

  private requireCipher(): TokenCipher {
    if (!this.cipher)
      throw new Error('THREADLINE_ENCRYPTION_KEY is not set: workspace tokens cannot be read');
    return this.cipher;
  }

  private async exec(transaction: ReturnType<RedisClient['multi']>): Promise<void> {
    const results = await transaction.exec();
    for (const [error] of results ?? []) if (error) throw error;
  }
}
