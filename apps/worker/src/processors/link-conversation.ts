import {
  applyLifecycleEvent,
  forgetContact,
  type IntercomPort,
  type LinkConversationDependencies,
  type LinkRequest,
  lifecycleEventOfTopic,
  linkConversation,
  relinkMergedContact,
} from '@threadline/core';
import { linkConversationJob } from '@threadline/jobs';
import type { Worker } from 'bullmq';
import { defineProcessor } from '../define-processor.js';
import type { WorkerDependencies } from '../dependencies.js';
import { lazyIntercom } from '../workspace-intercoms.js';

/** The product the webhook routed the notification to (PRODUCT_ID for a job from before workspaces). */
function productOf(deps: WorkerDependencies, request: LinkRequest): string {
  return request.productId ?? deps.config.productId;
}

function linkDependencies(
  deps: WorkerDependencies,
  productId: string,
  intercom: IntercomPort,
): LinkConversationDependencies {
  return {
    activity: deps.activity,
    links: deps.links,
    intercom,
    ...(deps.identities ? { identities: deps.identities } : {}),
    productIdForApp: () => productId,
    prechatActions: deps.config.notes.prechatActions,
    maxStoredActions: deps.config.activity.maxActions,
    now: deps.now,
  };
}

/** The notification's own time orders lifecycle events; a job from before it was recorded uses arrival. */
function eventTime(request: LinkRequest): number {
  return request.notificationAt ?? Math.floor(Date.parse(request.receivedAt) / 1000);
}

/** Paused links get no delivery requests (a delivery job would find them paused anyway). */
async function requestIfOpen(deps: WorkerDependencies, conversationId: string, immediate: boolean) {
  const link = await deps.links.get(conversationId);
  if (link?.status !== 'open') return;
  await deps.deliveries.request(conversationId, { immediate, productId: link.productId });
}

/**
 * Every webhook topic Threadline subscribes to lands here. A user's message links the conversation (once)
 * and asks for its first note; closed and snoozed pause the link, opened, unsnoozed and a user reply resume
 * it with one catch-up note; deleted ends it; the contact topics relink or end the contact's links.
 * Failures are answered by `failurePolicy` (a 404 fails the job: there is no link to close yet).
 */
export function linkConversationProcessor(deps: WorkerDependencies, worker: () => Worker) {
  return defineProcessor(deps, worker, {
    job: linkConversationJob,
    bindings: (request) => ({ topic: request.topic, conversationId: request.conversationId }),
    async run(request: LinkRequest, log, scope) {
      const productId = productOf(deps, request);
      const workspace = deps.workspaceLabel.of(productId);
      // The workspace's client is looked up only when the use case calls Intercom.
      const intercom = lazyIntercom(() => scope.intercomOf(productId));
      const dependencies = linkDependencies(deps, productId, intercom);
      if (request.topic === 'contact.merged') {
        const outcome = await relinkMergedContact(request, dependencies);
        log.info(
          outcome.kind === 'merged'
            ? { outcome: outcome.kind, relinked: outcome.relinked.length, linked: outcome.linked.length }
            : { outcome: outcome.kind, reason: outcome.reason },
          'contact merged',
        );
        if (outcome.kind === 'merged') {
          for (const id of outcome.linked) await requestIfOpen(deps, id, true);
          for (const id of outcome.relinked) await requestIfOpen(deps, id, false);
        }
        return outcome;
      }
      if (request.topic === 'contact.deleted') {
        const outcome = await forgetContact(request, dependencies);
        log.info({ ended: outcome.ended.length }, 'contact deleted: its links ended');
        return outcome;
      }
      const kind = lifecycleEventOfTopic(request.topic);
      const lifecycle = kind
        ? await applyLifecycleEvent(request.conversationId, { kind, at: eventTime(request) }, deps.links)
        : null;
      if (lifecycle) deps.metrics.links.inc({ outcome: `lifecycle_${lifecycle.effect}`, workspace });
      const isUserMessage =
        request.topic === 'conversation.user.created' || request.topic === 'conversation.user.replied';
      if (!isUserMessage) {
        log.info({ effect: lifecycle?.effect }, 'conversation lifecycle');
        if (lifecycle?.effect === 'resume' && lifecycle.isLinked) {
          await requestIfOpen(deps, request.conversationId, true);
        }
        return lifecycle;
      }
      const outcome = await linkConversation(request, dependencies);
      deps.metrics.links.inc({ outcome: outcome.kind, workspace });
      if (outcome.kind === 'unlinkable') log.warn({ reason: outcome.reason }, 'conversation not linked');
      else log.info({ outcome: outcome.kind, effect: lifecycle?.effect }, 'conversation link');
      if (outcome.kind === 'linked' || outcome.kind === 'already_linked') {
        await requestIfOpen(
          deps,
          request.conversationId,
          outcome.kind === 'linked' || lifecycle?.effect === 'resume',
        );
      }
      return outcome;
    },
  });
}
