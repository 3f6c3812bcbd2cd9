import { randomUUID } from 'node:crypto';

/** One entry of Intercom's `error.list` (the spec's `error` schema). */
export interface IntercomErrorEntry {
  code: string;
  message: string;
  field?: string;
}

/** Intercom's error body: `{ type: 'error.list', request_id, errors: [...] }`. */
export interface IntercomErrorList {
  type: 'error.list';
  request_id: string;
  errors: IntercomErrorEntry[];
}

/** Builds an Intercom `error.list` body with a fresh request id. */
export function intercomError(code: string, message: string): IntercomErrorList {
  return { type: 'error.list', request_id: randomUUID(), errors: [{ code, message }] };
}

/** The errors the sandbox answers with, each as the spec's examples spell it. */
export const intercomErrors = {
  unauthorized: () => intercomError('unauthorized', 'Access Token Invalid'),
  // The spec's example names the scope by its code (read_conversations); the sandbox uses the label
  // the Developer Hub shows, which is what the operator has to tick.
  missingPermission: (permission: string) =>
    intercomError('forbidden', `You do not have the required scope (${permission}) to access this resource`),
  adminNotFound: () => intercomError('admin_not_found', 'Admin not found'),
  resourceNotFound: () => intercomError('not_found', 'Resource Not Found'),
  userNotFound: () => intercomError('not_found', 'User Not Found'),
  partOrMessageNotFound: () =>
    intercomError('conversation_part_or_message_not_found', 'Conversation part or message not found'),
  // The spec names this code without an example message; the wording is ours.
  partNotRedactable: () =>
    intercomError('conversation_part_not_redactable', 'Conversation part is not redactable'),
  rateLimited: (limit: number) =>
    intercomError('rate_limit_exceeded', `Exceeded rate limit of ${limit} in 10_seconds`),
  serverError: (status: number) =>
    intercomError(
      status === 500 ? 'server_error' : 'service_unavailable',
      `Injected sandbox fault (HTTP ${status})`,
    ),
} as const;
