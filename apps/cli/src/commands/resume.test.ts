import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliHarness, createHarness } from '../../test/cli-harness.js';

let harness: CliHarness;
beforeAll(async () => {
  harness = await createHarness('resume');
});
afterAll(async () => {
  await harness.close();
});

describe('threadline resume', () => {
  it('shows a paused workspace in status, and resume clears it and the queue pause', async () => {
    await harness.queues.sendGate.pause({
      code: 'unauthorized',
      message: 'Intercom answered 401: the access token was refused',
    });
    // The shared queue keeps running (other workspaces go on); one paused before workspaces is resumed too.
    expect(await harness.queues.queues.notes.isPaused()).toBe(false);
    await harness.queues.queues.notes.pause();
    const status = await harness.run(['status']);
    expect(status.stdout).toContain('Note sending of product default is PAUSED since');
    expect(status.stdout).toContain('the access token was refused');
    expect(status.stdout).toContain('reinstall or replace it');
    expect(JSON.parse((await harness.run(['status', '--json'])).stdout).sendingPaused).toMatchObject({
      code: 'unauthorized',
    });

    const resumed = await harness.run(['resume']);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain('Note sending resumed');
    expect(await harness.queues.queues.notes.isPaused()).toBe(false);
    expect(await harness.queues.sendGate.paused()).toBeNull();
    expect((await harness.run(['status'])).stdout).not.toContain('PAUSED');

    const again = await harness.run(['resume', '--json']);
    expect(JSON.parse(again.stdout)).toEqual({ wasPaused: false, pause: null });
  });
});

describe('threadline status and resume --product', () => {
  it('tells which other workspace is paused and how to fix it, and resumes only the product named', async () => {
    const other = harness.queues.sendGateFor('intercom-other');
    await other.pause({ code: 'unauthorized', message: 'Intercom answered 401' });
    try {
      const own = JSON.parse((await harness.run(['status', '--json'])).stdout);
      expect(own.sendingPaused).toBeNull();
      const named = JSON.parse(
        (await harness.run(['status', '--product', 'intercom-other', '--json'])).stdout,
      );
      expect(named).toMatchObject({ productId: 'intercom-other', sendingPaused: { code: 'unauthorized' } });
      expect((await harness.run(['status', '--product', 'intercom-other'])).stdout).toContain(
        'No workspace serves product intercom-other',
      );
      await harness.run(['resume']);
      expect(await other.paused()).not.toBeNull();
      await harness.run(['resume', '--product', 'intercom-other']);
      expect(await other.paused()).toBeNull();
    } finally {
      await other.resume();
    }
  });
});
