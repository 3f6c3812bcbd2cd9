import { IntercomError, linkConversation } from '@threadline/core';
import { type LinkConversationPayload, linkConversationJob } from '@threadline/jobs';
import { type Job, UnrecoverableError, type Worker } from 'bullmq';
import type { WorkerDependencies } from '../dependencies.js';
import { answerWorkspaceRefusal } from './intercom-refusal.js';

/** Links the conversation named by a webhook, then asks for its first note. */
export function linkConversationProcessor(deps: WorkerDependencies, worker: () => Worker) {
  return async (job: Job<LinkConversationPayload>) => {
    const parsed = linkConversationJob.payload.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid ${linkConversationJob.name} payload`);
    const log = deps.logger.child({ jobId: job.id, conversationId: parsed.data.conversationId });
    try {
      const outcome = await linkConversation(parsed.data, {
        activity: deps.activity,
        links: deps.links,
        intercom: deps.intercom,
        ...(deps.identities ? { identities: deps.identities } : {}),
        productIdForApp: () => deps.config.productId,
        prechatActions: deps.config.notes.prechatActions,
        maxStoredActions: deps.config.activity.maxActions,
        now: deps.now,
      });
      deps.metrics.links.inc({ outcome: outcome.kind });
      if (outcome.kind === 'unlinkable') log.warn({ reason: outcome.reason }, 'conversation not linked');
      else log.info({ outcome: outcome.kind }, 'conversation link');
      if (outcome.kind !== 'unlinkable') {
        await deps.queues.requestDelivery(parsed.data.conversationId, {
          immediate: outcome.kind === 'linked',
        });
      }
      return outcome;
    } catch (error) {
      if (!(error instanceof IntercomError)) throw error;
      await answerWorkspaceRefusal(error, deps, worker(), log);
      if (!error.isRetryable) throw new UnrecoverableError(error.message);
      throw error;
    }
  };
}
