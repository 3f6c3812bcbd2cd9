import { IntercomError, type IntercomErrorCode, SendGateRefusal } from '@threadline/core';

/** What a job does about a failure. */
export type JobOutcome =
  /** Thrown as it is: BullMQ retries with exponential backoff (10 attempts), then the failed set. */
  | 'retry'
  /** Back to waiting without using an attempt; the queue takes no job until the wait is over. */
  | 'wait'
  /** The same, and every worker waits too (recorded in the send gate): Intercom's own 429. */
  | 'wait_for_everyone'
  /** The workspace's sending is paused (every notes shard); the job waits in the paused queue. */
  | 'pause'
  /** The conversation is gone: the processor closes what it holds (a processor without `gone` fails). */
  | 'close'
  /** `UnrecoverableError`: the failed set at once, with the reason, replayable with the CLI. */
  | 'fail';

/**
 * A failure, classified once: Intercom's answer, the send gate's refusal, anything else. (A payload
 * that fails its schema never reaches the table: `defineProcessor` fails it before running anything.)
 */
export type Failure = `intercom.${IntercomErrorCode}` | `send_gate.${SendGateRefusal['reason']}` | 'other';

/** The one table from failure to job outcome, used by every processor (see `define-processor.ts`). */
export const failurePolicy: Readonly<Record<Failure, JobOutcome>> = {
  'intercom.rate_limited': 'wait_for_everyone',
  'intercom.unavailable': 'retry',
  'intercom.timeout': 'retry',
  'intercom.unauthorized': 'pause',
  'intercom.forbidden': 'pause',
  'intercom.not_found': 'close',
  'intercom.bad_request': 'fail',
  'send_gate.wait': 'wait',
  // Keeps every shard paused (a shard added since the pause, say) so the job does not spin.
  'send_gate.paused': 'pause',
  // Redis errors, bugs: retried with backoff like a 5xx, then kept in the failed set.
  other: 'retry',
};

export function classifyFailure(error: unknown): Failure {
  if (error instanceof IntercomError) return `intercom.${error.code}`;
  if (error instanceof SendGateRefusal) return `send_gate.${error.reason}`;
  return 'other';
}
