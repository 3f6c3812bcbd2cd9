import type { SandboxContact } from './sandbox-types.js';

/** A single-field filter of Intercom's search request (`single_filter_search_request`). */
export interface SingleFilter {
  field?: string;
  operator?: string;
  value?: unknown;
}

/** A nested filter (`multiple_filter_search_request`): `AND`/`OR` over further filters. */
export interface MultipleFilter {
  operator?: 'AND' | 'OR';
  value?: (SingleFilter | MultipleFilter)[];
}

/** Outcome of a search: the matches, or why the query cannot be run. */
export type ContactSearchResult = { ok: true; contacts: SandboxContact[] } | { ok: false; message: string };

function isMultiple(filter: SingleFilter | MultipleFilter): filter is MultipleFilter {
  return (filter.operator === 'AND' || filter.operator === 'OR') && Array.isArray(filter.value);
}

function fieldValue(contact: SandboxContact, field: string): unknown {
  if (field.startsWith('custom_attributes.')) return contact.custom_attributes[field.slice(18)];
  return (contact as unknown as Record<string, unknown>)[field];
}

function asComparable(value: unknown): string | number | boolean | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  return String(value);
}

function matchesSingle(contact: SandboxContact, filter: SingleFilter): boolean | string {
  const { field, operator, value } = filter;
  if (typeof field !== 'string' || typeof operator !== 'string') return 'query needs field and operator';
  const actual = asComparable(fieldValue(contact, field));
  const wanted = asComparable(value);
  const text = typeof actual === 'string' ? actual.toLowerCase() : '';
  const needle = typeof wanted === 'string' ? wanted.toLowerCase() : '';
  const list = Array.isArray(value) ? value.map(asComparable) : [];
  switch (operator) {
    case '=':
      return actual === wanted;
    case '!=':
      return actual !== wanted;
    case 'IN':
      return list.includes(actual);
    case 'NIN':
      return !list.includes(actual);
    case '~':
      return actual !== null && text.includes(needle);
    case '!~':
      return actual === null || !text.includes(needle);
    case '^':
      return actual !== null && text.startsWith(needle);
    case '$':
      return actual !== null && text.endsWith(needle);
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const left = Number(actual);
      const right = Number(wanted);
      if (actual === null || Number.isNaN(left) || Number.isNaN(right)) return false;
      return operator === '<'
        ? left < right
        : operator === '<='
          ? left <= right
          : operator === '>'
            ? left > right
            : left >= right;
    }
    default:
      return `unsupported operator ${operator}`;
  }
}

function matches(contact: SandboxContact, filter: SingleFilter | MultipleFilter): boolean | string {
  if (!isMultiple(filter)) return matchesSingle(contact, filter as SingleFilter);
  const results = (filter.value ?? []).map((child) => matches(contact, child));
  const problem = results.find((result) => typeof result === 'string');
  if (problem !== undefined) return problem;
  return filter.operator === 'AND' ? results.every(Boolean) : results.some(Boolean);
}

/** Runs an already spec-validated search query over the contacts, in the order given. */
export function searchContacts(
  contacts: SandboxContact[],
  query: SingleFilter | MultipleFilter,
): ContactSearchResult {
  const found: SandboxContact[] = [];
  for (const contact of contacts) {
    const outcome = matches(contact, query);
    if (typeof outcome === 'string') return { ok: false, message: outcome };
    if (outcome) found.push(contact);
  }
  return { ok: true, contacts: found };
}
