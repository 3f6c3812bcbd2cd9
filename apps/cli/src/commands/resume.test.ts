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
    expect(await harness.queues.queues.notes.isPaused()).toBe(true);
    const status = await harness.run(['status']);
    expect(status.stdout).toContain('Note sending is PAUSED since');
    expect(status.stdout).toContain('the access token was refused');
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
