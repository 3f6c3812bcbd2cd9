import { readFileSync } from 'node:fs';
import {
  type Action,
  type ActivityStore,
  type AppendResult,
  type CapturedEvent,
  describeEvent,
  type IdentityState,
  identifiedEmail,
  type MergeOutcome,
  recordActivity,
  type StoredAction,
  type UserAppend,
  type UserRef,
} from '@threadline/core';
import { describe, expect, it } from 'vitest';
import { defaultCaptureLimits } from './capture-limits.js';
import { decodeCaptureBody } from './decode-capture-body.js';
import { extractEvents } from './extract-events.js';
import { keptPosthogProperties, sanitizeProperties } from './sanitize-properties.js';

/**
 * `sanitizeProperties` keeps only the `$` properties in `keptPosthogProperties`. These tests fail
 * when the describer, `recordActivity` or the identify-by-email logic reads a `$` property that is
 * not in that list, or when dropping the others changes any action, merge or remembered email.
 */

interface RawEvent {
  event: string;
  uuid?: string;
  timestamp?: string;
  properties: Record<string, unknown>;
}

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8'));
}

/** The recorded posthog-js session core's describer tests use (every event type posthog-js sends). */
const session = readJson('../../core/test-fixtures/posthog-js-session.json') as RawEvent[];

const page = { $current_url: 'https://app.acme.io/settings?tab=billing', $pathname: '/settings' };
const noise = {
  $os: 'Mac OS X',
  $browser: 'Chrome',
  $raw_user_agent: 'Mozilla/5.0',
  $screen_height: 1117,
  $insert_id: 'bd9c66b3ad3c2d6d',
  $lib: 'web',
  $time: 1736154004.142,
};

/** Every branch of the describer and of recordActivity the session may not reach. */
const synthetic: RawEvent[] = [
  { event: '$screen', properties: { ...noise, $screen_name: 'Settings', distinct_id: 'mobile-1' } },
  {
    event: '$exception',
    properties: { ...noise, ...page, $exception_type: 'TypeError', $exception_message: 'x is undefined' },
  },
  {
    event: '$exception',
    properties: { ...noise, ...page, $exception_list: [{ type: 'RangeError', value: 'too far' }] },
  },
  {
    event: '$autocapture',
    properties: {
      ...noise,
      ...page,
      $event_type: 'submit',
      $elements: [{ tag_name: 'form', attr__name: 'billing' }],
    },
  },
  {
    event: '$autocapture',
    properties: {
      ...noise,
      ...page,
      $event_type: 'change',
      $elements_chain: 'input:attr__name="plan"attr__type="text"nth-child="1"nth-of-type="1"',
    },
  },
  {
    event: '$rageclick',
    properties: { ...noise, ...page, $el_text: 'Save', $elements_chain: 'button:text="Save"' },
  },
  { event: '$dead_click', properties: { ...noise, ...page, $el_text: 'Help' } },
  {
    event: 'plan_upgraded',
    properties: { ...noise, ...page, plan: 'Pro', step: 2, feature: 'seats', $set: { plan: 'Pro' } },
  },
  {
    event: '$identify',
    properties: {
      ...noise,
      distinct_id: 'ada',
      $anon_distinct_id: 'anon-7',
      $set_once: { email: 'Ada@Example.com' },
      email: 'ada@example.com',
    },
  },
  { event: 'page_left', properties: { ...noise, ...page, $is_identified: false, distinct_id: 'anon-8' } },
  { event: '$pageview', properties: { ...noise, ...page, title: 'Billing', $session_id: 's-1' } },
];

function toEvents(raw: RawEvent[], properties: (event: RawEvent) => Record<string, unknown>) {
  return raw.map(
    (event, index): CapturedEvent => ({
      event: event.event,
      distinctId: String(event.properties.distinct_id ?? 'user-1'),
      timestamp: new Date(Date.parse('2025-01-06T09:00:00.000Z') + index * 1000),
      properties: properties(event),
    }),
  );
}

/** The capture package's own client fixtures, decoded and extracted as the route does. */
function clientFixtureEvents(): CapturedEvent[] {
  const events: CapturedEvent[] = [];
  for (const name of ['posthog-js-1.434-batch.json', 'posthog-node-5-batch.json']) {
    const body = readFileSync(new URL(`../test/fixtures/${name}`, import.meta.url));
    const decoded = decodeCaptureBody({ body, contentType: 'application/json', query: {} });
    if (!decoded.ok) throw new Error(decoded.message);
    const batch = extractEvents(decoded.payload, { now: new Date('2025-06-01T12:00:00.000Z') });
    if (!batch.ok) throw new Error(batch.message);
    events.push(...batch.events);
  }
  return events;
}

class MemoryActivityStore implements ActivityStore {
  readonly log: unknown[] = [];
  private readonly aliases = new Map<string, string>([['anon-8', 'ada']]);

  async append(user: UserRef, actions: Action[]): Promise<AppendResult> {
    this.log.push(['append', user.userId, actions]);
    return {
      ids: actions.map((_, index) => String(index)),
      isNewUser: false,
      conversations: [`conversation-of-${user.userId}`],
    };
  }
  async appendAll(appends: readonly UserAppend[]): Promise<AppendResult[]> {
    return Promise.all(appends.map(({ user, actions }) => this.append(user, actions)));
  }
  async listAfter(): Promise<StoredAction[]> {
    return [];
  }
  async listRecent(): Promise<StoredAction[]> {
    return [];
  }
  async merge(from: UserRef, into: UserRef): Promise<MergeOutcome> {
    this.log.push(['merge', from.userId, into.userId]);
    return { kind: 'merged', moved: 0 };
  }
  async identityOf(user: UserRef): Promise<IdentityState> {
    this.log.push(['identityOf', user.userId]);
    return { mergedInto: this.aliases.get(user.userId) ?? null, isIdentified: false };
  }
}

/** Everything recordActivity (with describeEvent and identify-by-email) does with these events. */
async function record(events: CapturedEvent[]): Promise<unknown[]> {
  const activity = new MemoryActivityStore();
  const log: unknown[] = [];
  const result = await recordActivity('default', events, {
    activity,
    links: {
      conversationsOf: async (user) => [`conversation-of-${user.userId}`],
      get: async (conversationId) => ({
        conversationId,
        productId: 'default',
        userId: conversationId.replace('conversation-of-', ''),
        appId: null,
        sessionId: null,
        conversationCreatedAt: null,
        linkedAt: '',
        status: 'open',
      }),
    },
    identities: { rememberEmail: async (_product, email, userId) => void log.push(['email', email, userId]) },
    requestDelivery: async (conversationId) => void log.push(['delivery', conversationId]),
  });
  return [...activity.log, ...log, result];
}

/** Every top-level property key read through `properties`, by get, `in` or `Object.hasOwn`. */
function recordingReads(events: CapturedEvent[], reads: Set<string>): CapturedEvent[] {
  const note = (key: string | symbol) => {
    if (typeof key === 'string') reads.add(key);
  };
  return events.map((event) => ({
    ...event,
    properties: new Proxy(event.properties, {
      get(target, key, receiver) {
        note(key);
        return Reflect.get(target, key, receiver);
      },
      has(target, key) {
        note(key);
        return Reflect.has(target, key);
      },
      getOwnPropertyDescriptor(target, key) {
        note(key);
        return Reflect.getOwnPropertyDescriptor(target, key);
      },
      ownKeys(target) {
        reads.add('(every key)');
        return Reflect.ownKeys(target);
      },
    }),
  }));
}

const sanitize = (event: RawEvent) => sanitizeProperties(event.properties, defaultCaptureLimits);

describe('keptPosthogProperties', () => {
  it('lists every $ property describeEvent, recordActivity and identifiedEmail read', async () => {
    const reads = new Set<string>();
    const events = [
      ...toEvents(session, (event) => event.properties),
      ...toEvents(synthetic, (event) => event.properties),
      ...clientFixtureEvents(),
    ];
    for (const event of recordingReads(events, reads)) {
      describeEvent(event);
      identifiedEmail(event);
    }
    await record(recordingReads(events, reads));

    expect(reads.has('(every key)')).toBe(false);
    const dollarReads = [...reads].filter((key) => key.startsWith('$'));
    expect(dollarReads.filter((key) => !keptPosthogProperties.includes(key))).toEqual([]);
    // The recording works: the session exercises the describer's main properties.
    expect(dollarReads).toEqual(expect.arrayContaining(['$current_url', '$elements_chain', '$session_id']));
  });

  it('gives the same actions for the recorded session with all properties and with the kept ones', () => {
    const full = toEvents(session, (event) => event.properties).map((event) => describeEvent(event));
    const kept = toEvents(session, sanitize).map((event) => describeEvent(event));
    expect(kept).toEqual(full);
    expect(full.filter((action) => action !== null).length).toBeGreaterThan(30);
  });

  it('gives the same stored actions, merges, emails and deliveries with the kept properties', async () => {
    const raw = [...session, ...synthetic];
    const full = await record(toEvents(raw, (event) => event.properties));
    const kept = await record(toEvents(raw, sanitize));
    expect(kept).toEqual(full);
    expect(full.some((entry) => Array.isArray(entry) && entry[0] === 'merge')).toBe(true);
    expect(full.some((entry) => Array.isArray(entry) && entry[0] === 'email')).toBe(true);
  });

  it('drops the $ properties nothing reads and keeps every other property', () => {
    const kept = sanitize({
      event: 'checkout_failed',
      timestamp: '2025-01-06T09:00:00.000Z',
      properties: { ...noise, ...page, reason: 'card declined', custom_flag: true, $set: { plan: 'Pro' } },
    });
    expect(kept).toEqual({ ...page, reason: 'card declined', custom_flag: true, $set: { plan: 'Pro' } });
  });
});
