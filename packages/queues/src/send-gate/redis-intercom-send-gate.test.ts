import { deleteKeysWithPrefix, testRedisUrl, uniquePrefix } from '@threadline/test-helpers';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisIntercomSendGate } from './redis-intercom-send-gate.js';
import { sendGateKeys, workspaceSendGateKeys } from './send-gate-keys.js';

let redis: Redis;
beforeAll(() => {
  redis = new Redis(testRedisUrl());
});
afterAll(() => {
  redis.disconnect();
});

/** A gate of its own (fresh prefix) on a clock the test moves. */
async function withGate(
  test: (gate: RedisIntercomSendGate, clock: { now: number }, notes: Queue) => Promise<void>,
) {
  const gatePrefix = uniquePrefix('gate');
  const notes = new Queue('notes', { connection: redis, prefix: `{${gatePrefix}-notes}` });
  // Mid-window, so 20 calls cannot straddle two windows.
  const clock = { now: 1_700_000_005_000 };
  const gate = new RedisIntercomSendGate(
    redis,
    [notes],
    sendGateKeys(`{${gatePrefix}-notes}`),
    () => clock.now,
  );
  try {
    await test(gate, clock, notes);
  } finally {
    await notes.close();
    await deleteKeysWithPrefix(testRedisUrl(), gatePrefix);
  }
}

describe('send gate', () => {
  it('refuses calls beyond 90 % of the window budget, until the window ends', async () => {
    await withGate(async (gate, clock) => {
      await gate.observe({ limit: 20, remaining: 20, resetAtMs: clock.now + 10_000 });
      const answers = [];
      for (let call = 0; call < 20; call += 1) answers.push(await gate.beforeCall());
      expect(answers.filter((answer) => answer.kind === 'go')).toHaveLength(18);
      expect(answers.at(-1)).toEqual({ kind: 'wait', ms: 5000 });
      // The next window has its budget again.
      clock.now += 5000;
      expect(await gate.beforeCall()).toEqual({ kind: 'go' });
    });
  });

  it('waits while the latest answer says under 10 % remains, until its reset', async () => {
    await withGate(async (gate, clock) => {
      await gate.observe({ limit: 100, remaining: 5, resetAtMs: clock.now + 3000 });
      expect(await gate.beforeCall()).toEqual({ kind: 'wait', ms: 3000 });
    });
  });

  it('waits out a 429 for every worker, and stays paused after a 401 until resumed', async () => {
    await withGate(async (gate, clock, notes) => {
      await gate.rateLimited(2000);
      expect(await gate.beforeCall()).toEqual({ kind: 'wait', ms: 2000 });
      clock.now += 1500;
      expect(await gate.beforeCall()).toEqual({ kind: 'wait', ms: 500 });
      expect(await gate.pause({ code: 'unauthorized', message: 'token refused' })).toBe(true);
      expect(await gate.pause({ code: 'forbidden', message: 'again' })).toBe(false);
      expect(await gate.beforeCall()).toEqual({ kind: 'paused' });
      // The queue every workspace shares keeps running: only this workspace's calls stop.
      expect(await notes.isPaused()).toBe(false);
      expect(await gate.paused()).toMatchObject({ code: 'unauthorized', message: 'token refused' });
      // A queue paused by a version before workspaces is resumed too.
      await notes.pause();
      await gate.resume();
      expect(await notes.isPaused()).toBe(false);
      expect(await gate.paused()).toBeNull();
    });
  });

  it('turns rate-limit headers into a coalescing factor: 1 when healthy, 5 at the budget', async () => {
    await withGate(async (gate, clock) => {
      expect(await gate.observe({ limit: 1000, remaining: 990, resetAtMs: clock.now + 5000 })).toBe(1);
      expect(await gate.observe({ limit: 1000, remaining: 200, resetAtMs: clock.now + 5000 })).toBe(3);
      expect(await gate.observe({ limit: 1000, remaining: 50, resetAtMs: clock.now + 5000 })).toBe(5);
      expect(await gate.observe({ limit: 0, remaining: 0, resetAtMs: clock.now })).toBe(1);
    });
  });
});

describe('a send gate per workspace', () => {
  const idPart = (id: string) => id.replace(/[^A-Za-z0-9._-]/g, '_');

  it('keeps the PRODUCT_ID workspace on the keys of a single-workspace deployment', () => {
    const environment = workspaceSendGateKeys('{P-notes}', 'default', 'default', idPart);
    expect(environment.paused).toBe('{P-notes}:send:paused');
    expect(environment.calls(7)).toBe('{P-notes}:send:calls:7');
    expect(environment.pressure).toBe('{P-notes}:send:pressure');
    const other = workspaceSendGateKeys('{P-notes}', 'acme', 'default', idPart);
    expect(other.paused).toBe('{P-notes}:send:w:acme:paused');
    expect(other.calls(7)).toBe('{P-notes}:send:w:acme:calls:7');
    // Coalescing windows are per conversation, whichever workspace it is in.
    expect(other.window('deliver-1')).toBe(sendGateKeys('{P-notes}').window('deliver-1'));
  });

  it("never holds B's calls for A's 429, budget or 401", async () => {
    const gatePrefix = uniquePrefix('gate');
    const tag = `{${gatePrefix}-notes}`;
    const notes = new Queue('notes', { connection: redis, prefix: tag });
    const clock = { now: 1_700_000_005_000 };
    const gateOf = (productId: string) =>
      new RedisIntercomSendGate(
        redis,
        [notes],
        workspaceSendGateKeys(tag, productId, 'default', idPart),
        () => clock.now,
      );
    const [a, b] = [gateOf('default'), gateOf('acme')];
    try {
      await a.rateLimited(5000);
      await a.observe({ limit: 10, remaining: 10, resetAtMs: clock.now + 10_000 });
      expect(await a.beforeCall()).toMatchObject({ kind: 'wait' });
      expect(await b.beforeCall()).toEqual({ kind: 'go' });
      await a.pause({ code: 'unauthorized', message: 'uninstalled' });
      expect(await a.beforeCall()).toEqual({ kind: 'paused' });
      expect(await b.beforeCall()).toEqual({ kind: 'go' });
      expect(await b.paused()).toBeNull();
      // B's budget is its own: A's observed limit of 10 does not apply to it.
      for (let call = 0; call < 20; call += 1) expect(await b.beforeCall()).toEqual({ kind: 'go' });
      await b.pause({ code: 'forbidden', message: 'b too' });
      await a.resume();
      expect(await a.paused()).toBeNull();
      expect(await b.paused()).toMatchObject({ code: 'forbidden' });
    } finally {
      await notes.close();
      await deleteKeysWithPrefix(testRedisUrl(), gatePrefix);
    }
  });
});
