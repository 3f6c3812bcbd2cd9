import { IntercomError, SendGateRefusal } from '@threadline/core';
import { describe, expect, it } from 'vitest';
import { classifyFailure, failurePolicy } from './failure-policy.js';

const outcomeOf = (error: unknown) => failurePolicy[classifyFailure(error)];

describe('failurePolicy: one table from a classified failure to what the job does', () => {
  it.each([
    [new IntercomError('rate_limited', '429', { status: 429, retryAfterMs: 1000 }), 'wait_for_everyone'],
    [new IntercomError('unavailable', '503', { status: 503 }), 'retry'],
    [new IntercomError('unavailable', 'could not be reached'), 'retry'],
    [new IntercomError('timeout', 'no answer'), 'retry'],
    [new IntercomError('unauthorized', '401', { status: 401 }), 'pause'],
    [new IntercomError('forbidden', '403', { status: 403 }), 'pause'],
    [new IntercomError('not_found', '404', { status: 404 }), 'close'],
    [new IntercomError('bad_request', '400', { status: 400 }), 'fail'],
    [new SendGateRefusal('wait', 2000), 'wait'],
    [new SendGateRefusal('paused'), 'pause'],
    [new Error('READONLY You can not write against a read only replica'), 'retry'],
  ] as const)('%s → %s', (error, outcome) => {
    expect(outcomeOf(error)).toBe(outcome);
  });

  it('tells the gate’s own refusals from Intercom’s answers by type, not by a missing status', () => {
    expect(classifyFailure(new SendGateRefusal('paused'))).toBe('send_gate.paused');
    expect(classifyFailure(new IntercomError('unauthorized', '401', { status: 401 }))).toBe(
      'intercom.unauthorized',
    );
    expect(new SendGateRefusal('wait', 2000)).not.toBeInstanceOf(IntercomError);
  });
});
