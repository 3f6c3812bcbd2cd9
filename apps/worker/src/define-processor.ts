import { IntercomError, SendGateRefusal } from '@threadline/core';
import type { Logger } from '@threadline/observability';
import { DelayedError, type Job, UnrecoverableError, Worker } from 'bullmq';
import type { WorkerDependencies } from './dependencies.js';
import { classifyFailure, type Failure, failurePolicy } from './failure-policy.js';

/** What a 429 without a usable `Retry-After` waits. */
const defaultWaitMs = 10_000;

export interface ProcessorDefinition<Payload, Result> {
  /** The job's catalog entry: its name and payload schema (`@threadline/jobs`). */
  job: {
    name: string;
    payload: { safeParse(data: unknown): { success: true; data: Payload } | { success: false } };
  };
  /** The log bindings of one job (never the whole payload). */
  bindings(payload: Payload): Record<string, unknown>;
  run(payload: Payload, log: Logger): Promise<Result>;
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
 * terms (`Worker.RateLimitError`, `UnrecoverableError`, a retry).
 */
export function defineProcessor<Payload, Result>(
  deps: Pick<WorkerDependencies, 'logger' | 'sendGate'>,
  worker: () => Worker,
  definition: ProcessorDefinition<Payload, Result>,
) {
  return async (job: Job<Payload>, token?: string): Promise<Result> => {
    const parsed = definition.job.payload.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid ${definition.job.name} payload`);
    const payload = parsed.data;
    const log = deps.logger.child({ jobId: job.id, ...definition.bindings(payload) });
    try {
      const result = await definition.run(payload, log);
      if (definition.busyRetryMs !== undefined && isBusy(result)) {
        await job.moveToDelayed(Date.now() + definition.busyRetryMs, token);
        throw new DelayedError();
      }
      return result;
    } catch (error) {
      if (error instanceof DelayedError) throw error;
      return await answer(classifyFailure(error), error, { deps, worker, definition, payload, log });
    }
  };
}

interface FailureContext<Payload, Result> {
  deps: Pick<WorkerDependencies, 'sendGate'>;
  worker: () => Worker;
  definition: ProcessorDefinition<Payload, Result>;
  payload: Payload;
  log: Logger;
}

async function answer<Payload, Result>(
  failure: Failure,
  error: unknown,
  { deps, worker, definition, payload, log }: FailureContext<Payload, Result>,
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
      if (outcome === 'wait_for_everyone') await deps.sendGate.rateLimited(waitMs);
      await worker().rateLimit(waitMs);
      throw Worker.RateLimitError();
    }
    case 'pause': {
      const code = error instanceof IntercomError ? error.code : 'paused';
      const message = error instanceof Error ? error.message : String(error);
      const isFirst = await deps.sendGate.pause({ code, message });
      if (isFirst)
        log.error(
          {
            code,
            status: error instanceof IntercomError ? error.status : undefined,
            metric: 'intercom_sending_paused',
          },
          'Intercom refused the access token: note sending is paused for the workspace and jobs are kept. ' +
            'Fix INTERCOM_ACCESS_TOKEN (or its permissions), then run `threadline resume`',
        );
      // Back to waiting without using an attempt; the queue is paused, so it waits there.
      throw Worker.RateLimitError();
    }
    case 'close':
      if (definition.gone) return definition.gone(payload, log);
      throw new UnrecoverableError((error as Error).message);
    case 'fail':
      throw new UnrecoverableError((error as Error).message);
  }
}
