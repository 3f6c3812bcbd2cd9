/** The Intercom calls Threadline makes, and nothing else. */
export interface IntercomPort {
  /** Posts an internal note; returns the id of the part it created (found by the note's reference). */
  addNote(conversationId: string, note: { html: string; reference: string }): Promise<{ partId: string }>;
  /** Looks for a note carrying `reference` (to tell whether a post whose outcome was unknown went out). */
  findNoteByReference(conversationId: string, reference: string): Promise<{ partId: string } | null>;
  findContact(contactId: string): Promise<{ externalId: string | null; email: string | null } | null>;
  /** The admin notes of a conversation, oldest first, with their HTML bodies (the summarizer reads its lines here). */
  listNotes(conversationId: string): Promise<{ partId: string; html: string }[]>;
  /**
   * Redacts one part (`POST /conversations/redact`, `type: conversation_part`). `not_redactable`: Intercom
   * refused because the part is already redacted or has no body, which callers count as done.
   */
  redactPart(conversationId: string, partId: string): Promise<'redacted' | 'not_redactable'>;
}

export type IntercomErrorCode =
  | 'rate_limited'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'bad_request'
  | 'unavailable'
  | 'timeout';

/**
 * An Intercom answer (or no answer) to a call that was made, classified once by the adapter. What a job
 * does about each code is decided in one table (`apps/worker/src/failure-policy.ts`).
 */
export class IntercomError extends Error {
  readonly code: IntercomErrorCode;
  readonly status: number | undefined;
  /** When to try again, from `Retry-After` / `X-RateLimit-Reset`. */
  readonly retryAfterMs: number | undefined;

  constructor(
    code: IntercomErrorCode,
    message: string,
    options: { status?: number; retryAfterMs?: number } = {},
  ) {
    super(message);
    this.name = 'IntercomError';
    this.code = code;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }

  /** Intercom gave no answer at all (a network failure or a timeout), as opposed to answering an error. */
  get isUnanswered(): boolean {
    return this.status === undefined;
  }
}
