import { describe, expect, it } from 'vitest';
import type { ActivityStore, StoredAction } from '../ports/activity-store.js';
import type { AwaitingLink, ConversationLink, LinkStore } from '../ports/link-store.js';
import { type LinkConversationDependencies, linkConversation } from './link-conversation.js';
import type { LinkRequest } from './link-request.js';

/** A port from the methods a test gives it; any other call fails the test by name. */
function port<T extends object>(methods: Partial<T>): T {
  return new Proxy(methods, {
    get(target, name) {
      if (name in target) return target[name as keyof typeof target];
      throw new Error(`unexpected call: ${String(name)}`);
    },
  }) as T;
}

const openedAt = 1_767_225_600; // 2026-01-01T00:00:00Z
function action(index: number, secondsBeforeOpening: number): StoredAction {
  return {
    id: `${index}-0`,
    type: 'pageview',
    description: `Viewed /${index}`,
    at: new Date((openedAt - secondsBeforeOpening) * 1000).toISOString(),
    sessionId: `session-${index}`,
  };
}

function request(overrides: Partial<LinkRequest> = {}): LinkRequest {
  return {
    notificationId: 'notif-1',
    topic: 'conversation.user.created',
    appId: 'app-1',
    conversationId: 'conv-1',
    conversationCreatedAt: openedAt,
    contact: { contactId: 'contact-1', externalId: 'user-1', email: 'ada@example.com' },
    receivedAt: '2026-01-01T00:00:01Z',
    ...overrides,
  };
}

/** In-memory links and activity; records what was created, awaited and found unlinkable. */
function world(
  options: {
    recent?: StoredAction[];
    linked?: boolean;
    ended?: boolean;
    identities?: Record<string, string>;
  } = {},
) {
  const created: { link: ConversationLink; startAfter: string | null }[] = [];
  const awaited: AwaitingLink[] = [];
  const unlinked: string[] = [];
  const deps: LinkConversationDependencies = {
    activity: port<ActivityStore>({ listRecent: async () => options.recent ?? [] }),
    links: port<LinkStore>({
      get: async () => (options.linked ? ({ conversationId: 'conv-1' } as ConversationLink) : null),
      lifecycle: async () => (options.ended ? { state: 'ended', at: openedAt } : null),
      recordUnlinked: async (entry) => void unlinked.push(entry.reason),
      awaitContact: async (entry) => void awaited.push(entry),
      create: async (link, startAfter) => {
        created.push({ link, startAfter });
        return true;
      },
    }),
    intercom: {
      findContact: async (id) => (id === 'lead-1' ? { externalId: null, email: 'lead@example.com' } : null),
    },
    productIdForApp: () => 'product',
    prechatActions: 2,
    maxStoredActions: 100,
    now: () => new Date('2026-01-01T00:00:02Z'),
    ...(options.identities
      ? { identities: { userByEmail: async (_product, email) => options.identities?.[email] ?? null } }
      : {}),
  };
  return { deps, created, awaited, unlinked };
}

describe('linkConversation', () => {
  it('links by external_id; the first note starts with the last PRECHAT_ACTIONS actions from before opening', async () => {
    const recent = [action(1, 300), action(2, 200), action(3, 100), { ...action(4, -5) }];
    const { deps, created } = world({ recent });
    expect(await linkConversation(request(), deps)).toEqual({
      kind: 'linked',
      conversationId: 'conv-1',
      userId: 'user-1',
      prechatActions: 2,
    });
    expect(created).toHaveLength(1);
    // Three actions before opening, two kept: the cursor starts after the first.
    expect(created[0]?.startAfter).toBe('1-0');
    expect(created[0]?.link).toMatchObject({
      productId: 'product',
      userId: 'user-1',
      sessionId: 'session-4',
      contactId: 'contact-1',
      status: 'open',
    });
  });

  it('links once: a conversation already linked is left as it is', async () => {
    const { deps, created } = world({ linked: true });
    expect(await linkConversation(request(), deps)).toEqual({
      kind: 'already_linked',
      conversationId: 'conv-1',
    });
    expect(created).toEqual([]);
  });

  it('does not bring an ended conversation back', async () => {
    const { deps, created } = world({ ended: true });
    expect(await linkConversation(request(), deps)).toEqual({ kind: 'ended', conversationId: 'conv-1' });
    expect(created).toEqual([]);
  });

  it('a contact Intercom does not know: unlinkable, recorded with the reason', async () => {
    const { deps, unlinked } = world();
    const outcome = await linkConversation(
      request({ contact: { contactId: 'gone-1', externalId: null, email: null } }),
      deps,
    );
    expect(outcome).toMatchObject({ kind: 'unlinkable', reason: 'contact gone-1 was not found in Intercom' });
    expect(unlinked).toEqual(['contact gone-1 was not found in Intercom']);
  });

  it('a lead (no external_id): waits for contact.merged, unlinkable until then', async () => {
    const { deps, awaited, created } = world();
    const outcome = await linkConversation(
      request({ contact: { contactId: 'lead-1', externalId: null, email: null } }),
      deps,
    );
    expect(outcome).toMatchObject({
      kind: 'unlinkable',
      reason: expect.stringContaining('LINK_BY_EMAIL is off'),
    });
    expect(awaited).toEqual([
      { conversationId: 'conv-1', contactId: 'lead-1', appId: 'app-1', conversationCreatedAt: openedAt },
    ]);
    expect(created).toEqual([]);
  });

  it('with LINK_BY_EMAIL, links a contact without external_id to the user its email identified', async () => {
    const { deps, created } = world({ identities: { 'lead@example.com': 'user-9' } });
    const outcome = await linkConversation(
      request({ contact: { contactId: 'lead-1', externalId: null, email: null } }),
      deps,
    );
    expect(outcome).toMatchObject({ kind: 'linked', userId: 'user-9', prechatActions: 0 });
    expect(created[0]?.startAfter).toBeNull();
  });
});
