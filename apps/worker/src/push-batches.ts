import { randomUUID } from 'node:crypto';
import { pushBody, pushWebhookId, type Subscription, takePushBatch } from '@threadline/core';
import { type PushActionsPayload, pushActionsJob } from '@threadline/jobs';
import type { Queue } from 'bullmq';
import type { WorkerDependencies } from './dependencies.js';

/** Enough attempts that PUSH_RETRY_FOR_MS, not the count, ends the retries. */
const pushAttempts = 10_000;
const lockMs = 10_000;

/**
 * Forms push batches: for each active subscription, the actions of its product's feed after its
 * cursor, at most PUSH_BATCH_MAX_ACTIONS or PUSH_BATCH_MAX_WAIT_MS at a time, each added as one
 * `push-actions` job (its id derived from the batch) before the cursor moves past it. One worker at
 * a time per subscription (a lock); a crash between the two adds the same job again, which BullMQ
 * ignores.
 */
export function startPushBatches(
  deps: WorkerDependencies,
  queue: Queue<PushActionsPayload>,
): { close(): Promise<void> } {
  const holder = randomUUID();
  const limits = { maxActions: deps.config.push.batchMaxActions, maxWaitMs: deps.config.push.batchMaxWaitMs };
  const pollMs = Math.max(20, Math.min(250, Math.floor(limits.maxWaitMs / 4)));
  let isStopped = false;
  let running: Promise<void> = Promise.resolve();

  async function form(subscription: Subscription): Promise<void> {
    if (!(await deps.subscriptions.tryLock(subscription.id, holder, lockMs))) return;
    try {
      for (;;) {
        const cursor = (await deps.subscriptions.cursorOf(subscription.id)) ?? '0-0';
        const entries = await deps.productFeed.readAfter(subscription.productId, cursor, limits.maxActions);
        const batch = takePushBatch(entries, deps.now().getTime(), limits);
        const last = batch.at(-1);
        if (!last) return;
        const webhookId = pushWebhookId(subscription.id, batch);
        await queue.add(
          pushActionsJob.name,
          {
            subscriptionId: subscription.id,
            webhookId,
            body: pushBody(subscription.productId, batch, deps.now()),
            actions: batch.length,
            formedAt: deps.now().getTime(),
          },
          {
            jobId: pushActionsJob.jobId(webhookId),
            attempts: pushAttempts,
            backoff: { type: 'custom' },
            removeOnComplete: { age: 24 * 3600, count: 10_000 },
            removeOnFail: { age: 7 * 24 * 3600 },
          },
        );
        await deps.subscriptions.setCursor(subscription.id, last.id);
        if (batch.length < limits.maxActions) return;
      }
    } finally {
      await deps.subscriptions.unlock(subscription.id, holder);
    }
  }

  async function tick(): Promise<void> {
    const subscriptions = (await deps.subscriptions.list()).filter((subscription) => !subscription.disabled);
    await Promise.all(subscriptions.map(form));
  }

  const loop = async () => {
    while (!isStopped) {
      running = tick().catch((error: unknown) =>
        deps.logger.warn({ err: error }, 'forming push batches failed'),
      );
      await running;
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  };
  void loop();
  return {
    async close() {
      isStopped = true;
      await running;
    },
  };
}
