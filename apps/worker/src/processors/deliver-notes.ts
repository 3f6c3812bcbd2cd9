import { deliverNotes } from '@threadline/core';
import { deliverNotesJob } from '@threadline/jobs';
import type { Worker } from 'bullmq';
import { defineProcessor } from '../define-processor.js';
import type { WorkerDependencies } from '../dependencies.js';

/**
 * The per-conversation lock must outlive one note's calls (a lookup and a post, each up to the
 * client timeout), or a second worker could post the same pending note while the first is waiting.
 */
export function deliveryLockTtlMs(intercomTimeoutMs: number): number {
  return 2 * intercomTimeoutMs + 5000;
}

/**
 * Writes a conversation's new actions as notes. Failures are answered by `failurePolicy`; a
 * conversation gone from Intercom (404) closes its link.
 */
export function deliverNotesProcessor(deps: WorkerDependencies, worker: () => Worker) {
  return defineProcessor(deps, worker, {
    job: deliverNotesJob,
    bindings: ({ conversationId }) => ({ conversationId }),
    // Another delivery of the conversation is in flight: look again soon.
    busyRetryMs: 500,
    async run({ conversationId }, log, scope) {
      // The conversation's workspace: its token and admin write the notes, its gate holds them.
      const productId = (await deps.links.get(conversationId))?.productId ?? deps.config.productId;
      const workspace = deps.workspaceLabel.of(productId);
      const outcome = await deliverNotes(conversationId, {
        activity: deps.activity,
        links: deps.links,
        delivery: deps.delivery,
        intercom: await scope.intercomOf(productId),
        maxActionsPerNote: deps.config.notes.maxActions,
        prechatActions: deps.config.notes.prechatActions,
        now: deps.now,
        lockTtlMs: deliveryLockTtlMs(deps.config.intercom.timeoutMs),
      });
      if (outcome.kind === 'delivered' && outcome.notesPosted > 0) {
        log.info({ notes: outcome.notesPosted, actions: outcome.actionsPosted }, 'notes posted');
        deps.metrics.notesPosted.inc({ workspace }, outcome.notesPosted);
        deps.metrics.actionsPosted.inc({ workspace }, outcome.actionsPosted);
        const now = deps.now().getTime();
        for (const at of outcome.liveEventTimes) {
          deps.metrics.eventToNoteSeconds.observe({ workspace }, Math.max(0, now - Date.parse(at)) / 1000);
        }
        // The summary job decides whether SUMMARIZE_AFTER_NOTES raw notes are now visible (0: never).
        if (deps.config.summaries.afterNotes > 0) await deps.requestSummary(conversationId);
      }
      return outcome;
    },
    async gone({ conversationId }, log) {
      log.warn('the conversation is gone from Intercom: link closed, its pending actions dropped');
      await deps.links.close(conversationId, 'the conversation no longer exists in Intercom');
      return { kind: 'closed' as const };
    },
  });
}
