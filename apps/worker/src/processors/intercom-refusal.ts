import type { IntercomError } from '@threadline/core';
import type { Logger } from '@threadline/observability';
import { Worker } from 'bullmq';
import type { WorkerDependencies } from '../dependencies.js';

/**
 * The answers every processor gives the same way. A 429 (or the budget being used up) stops the
 * queue until the reset: the job goes back to waiting without using an attempt. A 401/403 pauses the
 * workspace's sending and keeps the job. Returns null for errors the caller decides about.
 */
export async function answerWorkspaceRefusal(
  error: IntercomError,
  deps: Pick<WorkerDependencies, 'queues'>,
  worker: Worker,
  log: Logger,
): Promise<never | null> {
  switch (error.code) {
    case 'rate_limited': {
      const waitMs = Math.max(50, error.retryAfterMs ?? 10_000);
      // Only Intercom's own 429 carries a status; the budget's refusal needs no shared pause.
      if (error.status === 429) await deps.queues.sendGate.rateLimited(waitMs);
      await worker.rateLimit(waitMs);
      throw Worker.RateLimitError();
    }
    case 'unauthorized':
    case 'forbidden': {
      const isFirst = await deps.queues.sendGate.pause({ code: error.code, message: error.message });
      if (isFirst)
        log.error(
          { code: error.code, status: error.status, metric: 'intercom_sending_paused' },
          'Intercom refused the access token: note sending is paused for the workspace and jobs are kept. ' +
            'Fix INTERCOM_ACCESS_TOKEN (or its permissions), then run `threadline resume`',
        );
      // Back to waiting without using an attempt; the queue is paused, so it waits there.
      throw Worker.RateLimitError();
    }
    default:
      return null;
  }
}
