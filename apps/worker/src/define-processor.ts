import { IntercomError, type IntercomPort, type IntercomSendGate, SendGateRefusal } from '@threadline/core';
import type { Logger } from '@threadline/observability';
import { DelayedError, type Job, UnrecoverableError, type Worker } from 'bullmq';
import type { WorkerDependencies } from './dependencies.js';
import { classifyFailure, type Failure, failurePolicy } from './failure-policy.js';
import { UnknownWorkspaceError } from './workspace-intercoms.js';

/** What a 429 without a usable `Retry-After` waits. */
const defaultWaitMs = 10_000;

/**
 * How often a job of a paused workspace looks again (no Intercom call: its gate answers `paused`
 * until `threadline resume`), so after a resume its jobs start within this long.
 */
export const pausedRecheckMs = 30_000;

/** What a job's `run` is given besides its payload. */
export interface JobScope {
  /**
   * The Intercom of the product's workspace (its token, its admin, its gate). Failures of the job are
   * then answered with that workspace's gate: a 429 or a pause holds that workspace's jobs only.
   * Throws `UnknownWorkspaceError` when no workspace serves the product (the job fails).
   */
  intercomOf(productId: string): Promise<IntercomPort>;
}

export interface ProcessorDefinition<Payload, Result> {
  /** The job's catalog entry: its name and payload schema (`@threadline/jobs`). */
  job: {
    name: string;
    payload: { safeParse(data: unknown): { success: true; data: Payload } | { success: false } };
  };
  /** The log bindings of one job (never the whole payload). */
  bindings(payload: Payload): Record<string, unknown>;
  run(payload: Payload, log: Logger, scope: JobScope): Promise<Result>;
  /**
   * When `run` answers `{ kind: 'busy' }` (another worker holds the conversation's lock): how soon the
   * job looks again, moved to delayed without using an attempt.
   */
  busyRetryMs?: number;
  /** The conversation is gone from Intercom (a 404): what the job answers. Without it the job fails. */
  gone?(payload: Payload, log: Logger): Promise<Result>;
}

function isBusy(result: unknown): boolean {
  return typeof result === 'object' && result !== null && (result as { kind?: unknown }).kind === 'busy';
}

/**
 * A BullMQ processor from a definition: parses the payload, runs the use case, and answers every
 * failure through `failurePolicy`: the one place Intercom errors and the gate's refusals become BullMQ
 * terms (a delayed job, `UnrecoverableError`, a retry). Waits and pauses delay the job itself, never
 * the BullMQ worker: one worker serves every workspace, and one workspace's 429 must not stop it.
 */
export function defineProcessor<Payload, Result>(
  deps: Pick<WorkerDependencies, 'logger' | 'sendGate' | 'intercoms'>,
  _worker: () => Worker,
  definition: ProcessorDefinition<Payload, Result>,
) {
  return async (job: Job<Payload>, token?: string): Promise<Result> => {
    const parsed = definition.job.payload.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid ${definition.job.name} payload`);
    const payload = parsed.data;
    let log = deps.logger.child({ jobId: job.id, ...definition.bindings(payload) });
    // The gate a failure is answered with: the workspace the job asked for, PRODUCT_ID's before that.
    let sendGate: IntercomSendGate = deps.sendGate;
    const scope: JobScope = {
      async intercomOf(productId) {
        const found = await deps.intercoms.forProduct(productId);
        if (!found) throw new UnknownWorkspaceError(productId);
        sendGate = found.sendGate;
        log = log.child({ productId });
        return found.intercom;
      },
    };
    try {
      const result = await definition.run(payload, log, scope);
      if (definition.busyRetryMs !== undefined && isBusy(result)) {
        await job.moveToDelayed(Date.now() + definition.busyRetryMs, token);
        throw new DelayedError();
      }
      return result;
    } catch (error) {
      if (error instanceof DelayedError) throw error;
      return await answer(classifyFailure(error), error, {
        sendGate,
        delay: async (ms) => {
          await job.moveToDelayed(Date.now() + ms, token);
          return new DelayedError();
        },
        definition,
        payload,
        log,
      });
    }
  };
}

interface FailureContext<Payload, Result> {
  /** The job's workspace's gate. */
  sendGate: IntercomSendGate;
  /** Moves the job back to delayed without using an attempt; throw what it returns. */
  delay(ms: number): Promise<DelayedError>;
  definition: ProcessorDefinition<Payload, Result>;
  payload: Payload;
  log: Logger;
}

async function answer<Payload, Result>(
  failure: Failure,
  error: unknown,
  { sendGate, delay, definition, payload, log }: FailureContext<Payload, Result>,
): Promise<Result> {
  // The gate's refusals are routine under load; Intercom's answers are worth a warning.
  if (error instanceof SendGateRefusal) log.debug({ reason: error.reason }, 'held back by the send gate');
  if (error instanceof IntercomError)
    log.warn({ code: error.code, status: error.status }, 'intercom refused a call');
  const outcome = failurePolicy[failure];
  switch (outcome) {
    case 'retry':
      throw error;
    case 'wait':
    case 'wait_for_everyone': {
      const retryAfterMs = (error as IntercomError | SendGateRefusal).retryAfterMs;
      const waitMs = Math.max(50, retryAfterMs ?? defaultWaitMs);
      if (outcome === 'wait_for_everyone') await sendGate.rateLimited(waitMs);
      throw await delay(waitMs);
    }
    case 'pause': {
      const code = error instanceof IntercomError ? error.code : 'paused';
      const message = error instanceof Error ? error.message : String(error);
      const isFirst = await sendGate.pause({ code, message });
      if (isFirst)
        log.error(
          {
            code,
            status: error instanceof IntercomError ? error.status : undefined,
            metric: 'intercom_sending_paused',
          },
          'Intercom refused the access token: note sending is paused for the workspace and jobs are kept. ' +
            'Fix INTERCOM_ACCESS_TOKEN (or reinstall the workspace, or its permissions), then run `threadline resume`',
        );
      // Kept as a delayed job that looks again now and then; the other workspaces go on.
      throw await delay(pausedRecheckMs);
    }
    case 'close':
      if (definition.gone) return definition.gone(payload, log);
      throw new UnrecoverableError((error as Error).message);
    case 'fail':
      throw new UnrecoverableError((error as Error).message);
  }
}
