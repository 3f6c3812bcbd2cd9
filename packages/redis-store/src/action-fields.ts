import type { Action, StoredAction } from '@threadline/core';

/** Short field names keep an action near 100–200 bytes in a stream entry. */
export function encodeAction(action: Action): string[] {
  const fields = ['t', action.type, 'd', action.description, 'a', action.at];
  if (action.page) fields.push('p', action.page);
  if (action.sessionId) fields.push('s', action.sessionId);
  if (action.repeat && action.repeat > 1) fields.push('r', String(action.repeat));
  // Only the exception is written: two bytes on an unverified action, none on the others.
  if (action.verified === false) fields.push('v', '0');
  return fields;
}

export function decodeAction(id: string, fields: string[]): StoredAction {
  const action: StoredAction = { id, at: '', type: 'custom', description: '' };
  // One pass over the pairs, no intermediate map: recent reads decode hundreds of entries per call.
  for (let index = 0; index + 1 < fields.length; index += 2) {
    const value = fields[index + 1]!;
    switch (fields[index]) {
      case 't':
        action.type = value as Action['type'];
        break;
      case 'd':
        action.description = value;
        break;
      case 'a':
        action.at = value;
        break;
      case 'p':
        if (value) action.page = value;
        break;
      case 's':
        if (value) action.sessionId = value;
        break;
      case 'r': {
        const repeat = Number(value);
        if (repeat > 1) action.repeat = repeat;
        break;
      }
      case 'v':
        if (value === '0') action.verified = false;
        break;
    }
  }
  return action;
}
