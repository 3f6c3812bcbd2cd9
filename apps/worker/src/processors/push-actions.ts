import { type PushActionsPayload, pushActionsJob } from '@threadline/jobs';
import { postSigned } from '@threadline/push';
import { type Job, UnrecoverableError } from 'bullmq';
import type { WorkerDependencies } from '../dependencies.js';

/** Retries double from PUSH_RETRY_BASE_MS, at most an hour apart, with up to 20 % jitter. */
export function pushRetryDelayMs(
  attemptsMade: number,
  baseMs: number,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(baseMs * 2 ** Math.max(0, attemptsMade - 1), 3_600_000);
  return Math.round(exponential * (0.8 + 0.4 * random()));
}

/**
 * POSTs one batch to its subscription. A failure retries (the same `webhook-id`, a fresh timestamp
 * and signature) until PUSH_RETRY_FOR_MS after the batch was formed; then the subscription is
 * disabled with the reason and the batch dropped. A removed or disabled subscription gets nothing.
 */
export function pushActionsProcessor(deps: WorkerDependencies) {
  return async (job: Job<PushActionsPayload>) => {
    const parsed = pushActionsJob.payload.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid ${pushActionsJob.name} payload`);
    const { subscriptionId, webhookId, body, formedAt } = parsed.data;
    const log = deps.logger.child({ jobId: job.id, subscriptionId, webhookId });
    const subscription = await deps.subscriptions.get(subscriptionId);
    if (!subscription || subscription.disabled) {
      log.info({ reason: subscription ? 'disabled' : 'removed' }, 'push dropped: the subscription is gone');
      return { delivered: false };
    }
    const outcome = await postSigned(
      {
        url: subscription.url,
        webhookId,
        secret: subscription.secret,
        body,
        timeoutMs: deps.config.push.timeoutMs,
      },
      { allowPrivate: deps.config.push.allowPrivate },
    );
    if (outcome.ok) {
      log.info({ status: outcome.status, actions: parsed.data.actions }, 'push delivered');
      return { delivered: true };
    }
    const failingForMs = deps.now().getTime() - formedAt;
    if (failingForMs >= deps.config.push.retryForMs) {
      const reason = `deliveries failed for ${Math.round(failingForMs / 60_000)} min; last: ${outcome.reason}`;
      await deps.subscriptions.disable(subscriptionId, reason, deps.now().toISOString());
      log.warn({ reason: outcome.reason }, 'push subscription disabled after failing past PUSH_RETRY_FOR_MS');
      throw new UnrecoverableError(reason);
    }
    throw new Error(outcome.reason);
  };
}
