import { IntercomError, summarizeConversation } from '@threadline/core';
import { type SummarizeConversationPayload, summarizeConversationJob } from '@threadline/jobs';
import { DelayedError, type Job, UnrecoverableError, type Worker } from 'bullmq';
import type { WorkerDependencies } from '../dependencies.js';
import { answerWorkspaceRefusal } from './intercom-refusal.js';

const busyRetryMs = 1000;

/**
 * The summary lock is extended between steps; the longest step is the LLM call (every attempt, with
 * the SDK's backoff of at most 8 s between them) after one Intercom read, or without an LLM two
 * Intercom calls. A worker that dies holding it delays the resume by at most this long.
 */
export function summaryLockTtlMs(
  llm: { timeoutMs: number; retries: number } | null,
  intercomTimeoutMs: number,
): number {
  const llmMs = llm ? (llm.retries + 1) * llm.timeoutMs + llm.retries * 8000 : 0;
  return llmMs + 2 * intercomTimeoutMs + 5000;
}

/**
 * Replaces a conversation's older raw notes with a summary when one is due. Intercom errors are
 * answered like delivery's: 429/budget stop the queue, 401/403 pause the workspace, 5xx and
 * timeouts retry (the recorded state makes the retry resume), a vanished conversation ends it.
 */
export function summarizeConversationProcessor(deps: WorkerDependencies, worker: () => Worker) {
  return async (job: Job<SummarizeConversationPayload>, token?: string) => {
    const parsed = summarizeConversationJob.payload.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid ${summarizeConversationJob.name} payload`);
    const { conversationId } = parsed.data;
    const log = deps.logger.child({ jobId: job.id, conversationId });
    const { summaries } = deps;
    try {
      const outcome = await summarizeConversation(conversationId, {
        links: deps.links,
        delivery: deps.delivery,
        summaries: summaries.store,
        intercom: deps.intercom,
        summarizer: summaries.summarizer,
        afterNotes: deps.config.summaries.afterNotes,
        now: deps.now,
        lockTtlMs: summaryLockTtlMs(
          summaries.summarizer
            ? { timeoutMs: deps.config.summaries.openaiTimeoutMs, retries: summaries.llmRetries }
            : null,
          deps.config.intercom.timeoutMs,
        ),
        onSummaryPosted: (writer) => {
          summaries.metrics?.summaries.inc({ writer });
          log.info({ writer }, 'summary posted');
        },
        onWriterFailed: (reason, error) => {
          summaries.metrics?.llmErrors.inc({ reason });
          log.warn(
            { reason, message: error instanceof Error ? error.message : undefined },
            'the LLM summary failed: the extractive summarizer writes it',
          );
        },
      });
      if (outcome.kind === 'busy') {
        await job.moveToDelayed(Date.now() + busyRetryMs, token);
        throw new DelayedError();
      }
      if (outcome.kind === 'incomplete') {
        log.warn(
          {
            firstNumber: outcome.firstNumber,
            lastNumber: outcome.lastNumber,
            missingLines: outcome.missingLines,
          },
          'summary skipped: the window cannot be read completely, nothing redacted',
        );
      }
      if (outcome.kind === 'done' && outcome.partsRedacted > 0)
        log.info(
          { summaries: outcome.summariesPosted, redacted: outcome.partsRedacted },
          'raw notes summarized',
        );
      return outcome;
    } catch (error) {
      if (!(error instanceof IntercomError)) throw error;
      log.warn({ code: error.code, status: error.status }, 'intercom refused a summary call');
      await answerWorkspaceRefusal(error, deps, worker(), log);
      switch (error.code) {
        case 'not_found':
          log.warn('the conversation is gone from Intercom: nothing left to summarize');
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
