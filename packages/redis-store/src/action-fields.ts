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
  const map = new Map<string, string>();
  for (let index = 0; index + 1 < fields.length; index += 2) map.set(fields[index]!, fields[index + 1]!);
  const action: StoredAction = {
    id,
    at: map.get('a') ?? '',
    type: (map.get('t') ?? 'custom') as Action['type'],
    description: map.get('d') ?? '',
  };
  const page = map.get('p');
  const sessionId = map.get('s');
  const repeat = Number(map.get('r') ?? 1);
  if (page) action.page = page;
  if (sessionId) action.sessionId = sessionId;
  if (repeat > 1) action.repeat = repeat;
  if (map.get('v') === '0') action.verified = false;
  return action;
}
