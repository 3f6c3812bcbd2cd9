import { IntercomError, type IntercomErrorCode, SendGateRefusal } from '@threadline/core';
import { UnknownWorkspaceError } from './workspace-intercoms.js';

/** What a job does about a failure. */
export type JobOutcome =
  /** Thrown as it is: BullMQ retries with exponential backoff (10 attempts), then the failed set. */
  | 'retry'
  /** Back to delayed for the wait, without using an attempt (the other workspaces' jobs go on). */
  | 'wait'
  /** The same, and every job of the workspace waits too (recorded in its send gate): Intercom's 429. */
  | 'wait_for_everyone'
  /** The workspace's sending is paused (its gate); the job is kept delayed and looks again now and then. */
  | 'pause'
  /** The conversation is gone: the processor closes what it holds (a processor without `gone` fails). */
  | 'close'
  /** `UnrecoverableError`: the failed set at once, with the reason, replayable with the CLI. */
  | 'fail';

/**
 * A failure, classified once: Intercom's answer, the send gate's refusal, anything else. (A payload
 * that fails its schema never reaches the table: `defineProcessor` fails it before running anything.)
 */
export type Failure =
  | `intercom.${IntercomErrorCode}`
  | `send_gate.${SendGateRefusal['reason']}`
  | 'unknown_workspace'
  | 'other';

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
  'send_gate.paused': 'pause',
  // The product's workspace was removed (or has no token): nothing to deliver with; replayable.
  unknown_workspace: 'fail',
  // Redis errors, bugs: retried with backoff like a 5xx, then kept in the failed set.
  other: 'retry',
};

export function classifyFailure(error: unknown): Failure {
  if (error instanceof IntercomError) return `intercom.${error.code}`;
  if (error instanceof SendGateRefusal) return `send_gate.${error.reason}`;
  if (error instanceof UnknownWorkspaceError) return 'unknown_workspace';
  return 'other';
}
