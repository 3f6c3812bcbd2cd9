import type { LiveAction } from '../access/read-live-activity.js';
import { toLiveAction } from '../access/read-live-activity.js';
import type { Action } from '../actions/action.js';

/** An action as the stream and push webhooks present it: the tool's action fields and whose it is. */
export type ConsumerAction = { user_id: string } & LiveAction;

export function toConsumerAction(userId: string, action: Action): ConsumerAction {
  return { user_id: userId, ...toLiveAction(action) };
}

/**
 * JSON with `<` and `>` written as `\u003c` / `\u003e` (the same JSON once parsed), as the MCP text
 * form does: no product value can open a tag or close a fence in whatever a consumer wraps it in.
 * JSON.stringify already escapes line breaks, so a value cannot add an SSE line either.
 */
export function inertJson(value: unknown): string {
  return JSON.stringify(value).replaceAll('<', '\\u003c').replaceAll('>', '\\u003e');
}
