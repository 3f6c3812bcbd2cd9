import { deliverNotes, IntercomError } from '@threadline/core';
import { type DeliverNotesPayload, deliverNotesJob } from '@threadline/jobs';
import { DelayedError, type Job, UnrecoverableError, type Worker } from 'bullmq';
import type { WorkerDependencies } from '../dependencies.js';
import { answerWorkspaceRefusal } from './intercom-refusal.js';

/** How soon a job that found another delivery of its conversation in flight looks again. */
const busyRetryMs = 500;

/**
 * The per-conversation lock must outlive one note's calls (a lookup and a post, each up to the
 * client timeout), or a second worker could post the same pending note while the first is waiting.
 */
export function deliveryLockTtlMs(intercomTimeoutMs: number): number {
  return 2 * intercomTimeoutMs + 5000;
}

/**
 * Writes a conversation's new actions as notes. Intercom errors are turned into BullMQ's terms here
 * and nowhere else: 429 (or the budget used up) stops the queue until the reset, 401/403 pause the
 * workspace, 5xx and timeouts retry with backoff, a vanished conversation closes its link, other
 * refusals fail the job with their reason.
 */
export function deliverNotesProcessor(deps: WorkerDependencies, worker: () => Worker) {
  return async (job: Job<DeliverNotesPayload>, token?: string) => {
    const parsed = deliverNotesJob.payload.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid ${deliverNotesJob.name} payload`);
    const { conversationId } = parsed.data;
    const log = deps.logger.child({ jobId: job.id, conversationId });
    try {
      const outcome = await deliverNotes(conversationId, {
        activity: deps.activity,
        links: deps.links,
        delivery: deps.delivery,
        intercom: deps.intercom,
        maxActionsPerNote: deps.config.notes.maxActions,
        prechatActions: deps.config.notes.prechatActions,
        now: deps.now,
        lockTtlMs: deliveryLockTtlMs(deps.config.intercom.timeoutMs),
      });
      if (outcome.kind === 'busy') {
        await job.moveToDelayed(Date.now() + busyRetryMs, token);
        throw new DelayedError();
      }
      if (outcome.kind === 'delivered' && outcome.notesPosted > 0) {
        log.info({ notes: outcome.notesPosted, actions: outcome.actionsPosted }, 'notes posted');
        deps.metrics.notesPosted.inc(outcome.notesPosted);
        deps.metrics.actionsPosted.inc(outcome.actionsPosted);
        const now = deps.now().getTime();
        for (const at of outcome.liveEventTimes) {
          deps.metrics.eventToNoteSeconds.observe(Math.max(0, now - Date.parse(at)) / 1000);
        }
        // The summary job decides whether SUMMARIZE_AFTER_NOTES raw notes are now visible (0: never).
        if (deps.config.summaries.afterNotes > 0) await deps.queues.requestSummary(conversationId);
      }
      return outcome;
    } catch (error) {
      if (!(error instanceof IntercomError)) throw error;
      // The budget's own refusals are routine under load; Intercom's answers are worth a warning.
      const level = error.status === undefined && error.code === 'rate_limited' ? 'debug' : 'warn';
      log[level]({ code: error.code, status: error.status }, 'intercom refused a delivery call');
      await answerWorkspaceRefusal(error, deps, worker(), log);
      switch (error.code) {
        case 'not_found':
          log.warn('the conversation is gone from Intercom: link closed, its pending actions dropped');
          await deps.links.close(conversationId, 'the conversation no longer exists in Intercom');
          return { kind: 'closed' as const };
        case 'unavailable':
        case 'timeout':
          throw error;
        default:
          throw new UnrecoverableError(error.message);
      }
    }
  };
}
