import { summarizeConversation } from '@threadline/core';
import { summarizeConversationJob } from '@threadline/jobs';
import type { Worker } from 'bullmq';
import { defineProcessor } from '../define-processor.js';
import type { WorkerDependencies } from '../dependencies.js';

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
 * Replaces a conversation's older raw notes with a summary when one is due. Failures are answered by
 * `failurePolicy` (the recorded state makes a retry resume); a vanished conversation ends it.
 */
export function summarizeConversationProcessor(deps: WorkerDependencies, worker: () => Worker) {
  const { summaries } = deps;
  return defineProcessor(deps, worker, {
    job: summarizeConversationJob,
    bindings: ({ conversationId }) => ({ conversationId }),
    busyRetryMs: 1000,
    async run({ conversationId }, log, scope) {
      const productId = (await deps.links.get(conversationId))?.productId ?? deps.config.productId;
      const outcome = await summarizeConversation(conversationId, {
        links: deps.links,
        delivery: deps.delivery,
        summaries: summaries.store,
        intercom: await scope.intercomOf(productId),
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
    },
    async gone(_payload, log) {
      log.warn('the conversation is gone from Intercom: nothing left to summarize');
      return { kind: 'closed' as const };
    },
  });
}
