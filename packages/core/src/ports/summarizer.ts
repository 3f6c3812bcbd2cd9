/** What a summary writer is given: built by core only from already-redacted action lines. */
export interface SummaryPrompt {
  /** The instructions, including that the lines are untrusted data. */
  system: string;
  /** The action lines, fenced as data. */
  user: string;
}

/**
 * An outside writer of a summary's narrative (an LLM). Core keeps the facts (errors, pages, flow)
 * itself; the writer adds what the user was trying to do and where it broke, in prose.
 */
export interface Summarizer {
  /** Shown in the note as who wrote it, e.g. `LLM gpt-4.1-mini`. */
  readonly name: string;
  /** The narrative; throws a {@link SummarizerError} when the writer fails, times out or says nothing usable. */
  write(prompt: SummaryPrompt): Promise<string>;
}

export type SummarizerErrorReason = 'timeout' | 'unavailable' | 'rate_limited' | 'refused' | 'junk';

/** A summary writer that failed; the extractive summarizer writes instead. `reason` labels the metric. */
export class SummarizerError extends Error {
  readonly reason: SummarizerErrorReason;

  constructor(reason: SummarizerErrorReason, message: string) {
    super(message);
    this.name = 'SummarizerError';
    this.reason = reason;
  }
}
