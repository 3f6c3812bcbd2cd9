import type { Action, ConversationLink } from '@threadline/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliHarness, createHarness } from '../../test/cli-harness.js';
import type { ConversationReport, UserReport } from './inspect.js';

let harness: CliHarness;
const user = { productId: 'acme', userId: 'user_8812' };
/** Whole seconds, an hour ago: within the retention, which goes by event time. */
const start = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
const at = (seconds: number) => new Date(start + seconds * 1000).toISOString();
const actions: Action[] = [
  {
    at: at(0),
    type: 'pageview',
    description: 'Viewed the Pricing page',
    page: '/pricing',
    sessionId: 's-1',
  },
  {
    at: at(5),
    type: 'click',
    description: 'Clicked "Sign up" button on /pricing',
    page: '/pricing',
  },
  {
    at: at(60),
    type: 'error',
    description: 'Saw an error on /checkout: "Card validation failed"',
    page: '/checkout',
  },
];

function link(conversationId: string): ConversationLink {
  return {
    ...user,
    conversationId,
    appId: 'app-1',
    sessionId: 's-1',
    conversationCreatedAt: 1_740_823_200,
    linkedAt: '2025-03-01T10:02:00.000Z',
    status: 'open',
  };
}

beforeAll(async () => {
  harness = await createHarness('cli-inspect');
  const { ids } = await harness.activity.append(user, actions);
  await harness.links.create(link('conv-open'), null);
  await harness.links.create(link('conv-closed'), null);
  // Paused by conversation.admin.closed; conv-ended is gone from Intercom (a 404 ends the link).
  await harness.links.setLifecycle('conv-closed', await harness.links.lifecycle('conv-closed'), {
    state: 'closed',
    at: 1_760_000_100,
  });
  await harness.links.create(link('conv-ended'), null);
  await harness.links.close('conv-ended', 'the conversation no longer exists in Intercom');
  // One note written (actions 1–2), a second one pending.
  const first = {
    reference: 'tl-ref-1',
    html: '<p>[1] …</p>',
    firstNumber: 1,
    lastNumber: 2,
    lastActionId: ids[1]!,
  };
  await harness.delivery.setPending('conv-open', first);
  await harness.delivery.commit('conv-open', first, 'part-101', '2025-03-01T10:02:05.000Z');
  await harness.delivery.setPending('conv-open', {
    reference: 'tl-ref-2',
    html: '<p>[3] …</p>',
    firstNumber: 3,
    lastNumber: 3,
    lastActionId: ids[2]!,
  });
  await harness.links.recordUnlinked({
    conversationId: 'conv-anonymous',
    reason: 'the contact has no external_id',
    at: '2025-03-01T11:00:00.000Z',
  });
});
afterAll(async () => {
  await harness.close();
});

describe('threadline inspect user', () => {
  it("shows the user's recent actions oldest first and the open linked conversations", async () => {
    const result = await harness.run(['inspect', 'user', 'acme', 'user_8812', '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as UserReport;
    expect(report.actions.map(({ id: _id, ...action }) => action)).toEqual(actions);
    expect(report.conversations).toEqual([{ conversationId: 'conv-open', status: 'open' }]);
  });

  it('keeps the newest --limit actions', async () => {
    const named = await harness.run(['inspect', 'user', 'user_8812', '--product', 'acme', '--json']);
    expect(JSON.parse(named.stdout)).toEqual(
      JSON.parse((await harness.run(['inspect', 'user', 'acme', 'user_8812', '--json'])).stdout),
    );
    const clash = await harness.run(['inspect', 'user', 'acme', 'user_8812', '--product', 'other']);
    expect(clash.code).toBe(1);
    const result = await harness.run(['inspect', 'user', 'acme', 'user_8812', '--limit', '2', '--json']);
    const report = JSON.parse(result.stdout) as UserReport;
    expect(report.actions.map((action) => action.type)).toEqual(['click', 'error']);
  });

  it('prints time, type, description and page', async () => {
    const result = await harness.run(['inspect', 'user', 'acme', 'user_8812']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('User user_8812 of product acme');
    expect(result.stdout).toMatch(
      new RegExp(`${at(0).replaceAll('.', '\\.')}\\s+pageview\\s+Viewed the Pricing page\\s+/pricing`),
    );
    expect(result.stdout).toMatch(
      /error\s+Saw an error on \/checkout: "Card validation failed"\s+\/checkout/,
    );
    expect(result.stdout).toMatch(/conv-open\s+open/);
  });

  it('answers an unknown user with an empty report, not an error', async () => {
    const result = await harness.run(['inspect', 'user', 'acme', 'nobody', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      productId: 'acme',
      userId: 'nobody',
      actions: [],
      conversations: [],
    });
    const text = await harness.run(['inspect', 'user', 'acme', 'nobody']);
    expect(text.stdout).toContain('No recent actions.');
  });
});

describe('threadline inspect conversation', () => {
  it('shows the link, the delivery state with its pending note, and the notes written', async () => {
    const result = await harness.run(['inspect', 'conversation', 'conv-open', '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as ConversationReport;
    expect(report.link).toMatchObject({ ...link('conv-open'), closedReason: null });
    expect(report.delivery.cursor).toMatch(/^\d+-\d+$/);
    expect(report.delivery.nextNumber).toBe(3);
    expect(report.delivery.pending).toMatchObject({ reference: 'tl-ref-2', firstNumber: 3, lastNumber: 3 });
    expect(report.notes).toEqual([
      {
        partId: 'part-101',
        reference: 'tl-ref-1',
        firstNumber: 1,
        lastNumber: 2,
        postedAt: '2025-03-01T10:02:05.000Z',
      },
    ]);

    const text = await harness.run(['inspect', 'conversation', 'conv-open']);
    expect(text.stdout).toMatch(/user\s+user_8812 \(product acme\)/);
    expect(text.stdout).toMatch(/next number\s+3/);
    expect(text.stdout).toContain('note tl-ref-2, actions [3]–[3]');
    expect(text.stdout).toMatch(/part-101\s+\[1\]–\[2\]\s+2025-03-01T10:02:05\.000Z\s+tl-ref-1/);
  });

  it('shows a closed (paused) conversation as closed', async () => {
    const result = await harness.run(['inspect', 'conversation', 'conv-closed']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/status\s+closed/);
    expect(result.stdout).toContain('No notes written yet.');
  });

  it('says when and why a conversation ended', async () => {
    const result = await harness.run(['inspect', 'conversation', 'conv-ended']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /conversation "conv-ended" ended at .*: the conversation no longer exists in Intercom; its link and keys are gone/,
    );
  });

  it('exits 1 with one clear line for a conversation it does not know', async () => {
    const result = await harness.run(['inspect', 'conversation', 'conv-unknown']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `threadline: conversation "conv-unknown" is not linked to any user (prefix "${harness.prefix}")\n`,
    );
  });

  it('says why, when the conversation is in the unlinked stream', async () => {
    const result = await harness.run(['inspect', 'conversation', 'conv-anonymous', '--json']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'could not be linked at 2025-03-01T11:00:00.000Z: the contact has no external_id',
    );
  });
});
