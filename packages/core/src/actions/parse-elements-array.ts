import type { ElementInfo } from './element-info.js';

const MAX_ELEMENTS = 64;

function asString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function asInteger(value: unknown): number | undefined {
  const number = typeof value === 'number' ? value : Number.parseInt(asString(value) ?? '', 10);
  return Number.isFinite(number) ? Math.trunc(number) : undefined;
}

function classesOf(element: Record<string, unknown>): string[] {
  const source = element.classes ?? element.attr__class;
  if (Array.isArray(source))
    return source.filter((name): name is string => typeof name === 'string' && name !== '');
  return (asString(source) ?? '').split(/\s+/).filter(Boolean);
}

function parseElement(raw: unknown): ElementInfo | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const element = raw as Record<string, unknown>;
  const info: ElementInfo = {
    tag: (asString(element.tag_name) ?? '').toLowerCase(),
    classes: classesOf(element),
    attributes: {},
  };
  const text = asString(element.$el_text) ?? asString(element.text);
  if (text !== undefined) info.text = text;
  const label = asString(element.$label);
  if (label !== undefined) info.label = label;
  const labelledByText = asString(element.$labelledby_text);
  if (labelledByText !== undefined) info.labelledByText = labelledByText;
  const href = asString(element.attr__href) ?? asString(element.href);
  if (href !== undefined) info.href = href;
  const id = asString(element.attr__id) ?? asString(element.attr_id);
  if (id !== undefined) info.id = id;
  const nthChild = asInteger(element.nth_child);
  if (nthChild !== undefined) info.nthChild = nthChild;
  const nthOfType = asInteger(element.nth_of_type);
  if (nthOfType !== undefined) info.nthOfType = nthOfType;
  for (const [key, value] of Object.entries(element)) {
    const name = key.slice('attr__'.length);
    const text = asString(value);
    if (key.startsWith('attr__') && text !== undefined && !['class', 'id', 'href'].includes(name)) {
      info.attributes[name] = text;
    }
  }
  return info;
}

/**
 * Reads the older `$elements` form: an array of `{ tag_name, $el_text, attr__class, attr__id,
 * attr__href, nth_child, nth_of_type, attr__<name>… }` (and, from sources that know them, `$label` and
 * `$labelledby_text`), clicked element first. Skips anything that is
 * not an object.
 */
export function parseElementsArray(elements: unknown): ElementInfo[] {
  if (!Array.isArray(elements)) return [];
  return elements
    .slice(0, MAX_ELEMENTS)
    .map(parseElement)
    .filter((element): element is ElementInfo => element !== null);
}
