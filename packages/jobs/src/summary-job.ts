import { z } from 'zod';
import { jobIdPart } from './job-id.js';

/** The summaries queue (its own hash tag, like every queue: see `queuePrefix`). */
export const summariesQueueName = 'summaries' as const;

/**
 * `summarize-conversation`: replace a conversation's older raw notes with a summary once
 * SUMMARIZE_AFTER_NOTES of them are visible. Requested after each delivery that posted notes; the job
 * itself decides whether a summary is due, so a request too many costs one Redis read.
 */
export const summarizeConversationJob = {
  name: 'summarize-conversation',
  queue: summariesQueueName,
  payload: z.object({ conversationId: z.string() }),
  /** Requests for one conversation while a job waits join it; BullMQ refuses `:` in custom ids. */
  deduplicationId: (conversationId: string) => `summarize-${jobIdPart(conversationId)}`,
} as const;

export type SummarizeConversationPayload = z.infer<typeof summarizeConversationJob.payload>;

/** How long a summary request waits, so that the deliveries of a burst ask for one job. */
export const summaryRequestDelayMs = 1000;
