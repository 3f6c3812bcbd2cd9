import type { Action } from './action.js';

function isSameAction(first: Action, second: Action): boolean {
  return first.type === second.type && first.description === second.description && first.page === second.page;
}

/**
 * Merges consecutive actions with the same type, description and page into the first of them, with
 * `repeat` counting them all (a `repeat` already present counts as that many).
 */
export function collapseRepeats(actions: readonly Action[]): Action[] {
  const collapsed: Action[] = [];
  for (const action of actions) {
    const previous = collapsed[collapsed.length - 1];
    if (previous && isSameAction(previous, action)) {
      previous.repeat = (previous.repeat ?? 1) + (action.repeat ?? 1);
    } else {
      collapsed.push({ ...action });
    }
  }
  return collapsed;
}
