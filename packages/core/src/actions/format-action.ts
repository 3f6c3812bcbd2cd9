import type { Action } from './action.js';

/** The one-line text of an action, with ` ×N` when it stands for N > 1 identical actions. */
export function formatAction(action: Action): string {
  const repeat = action.repeat ?? 1;
  return repeat > 1 ? `${action.description} ×${repeat}` : action.description;
}
