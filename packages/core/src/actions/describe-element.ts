import type { ElementInfo } from './element-info.js';

/** What a description says about an element: its name and the kind of control it is. */
export interface ElementLabel {
  /** Raw (uncleaned, unredacted) name, e.g. the button's text. */
  label?: string;
  /** e.g. `button`, `link`, `tab`, `checkbox`; absent for plain containers. */
  role?: string;
}

const ROLE_BY_ARIA_ROLE: Readonly<Record<string, string>> = {
  button: 'button',
  link: 'link',
  tab: 'tab',
  checkbox: 'checkbox',
  switch: 'switch',
  radio: 'radio button',
  menuitem: 'menu item',
  menuitemcheckbox: 'menu item',
  menuitemradio: 'menu item',
  option: 'option',
  combobox: 'dropdown',
  listbox: 'list',
  treeitem: 'tree item',
  gridcell: 'cell',
  row: 'row',
  slider: 'slider',
  searchbox: 'search box',
  textbox: 'field',
};

const ROLE_BY_INPUT_TYPE: Readonly<Record<string, string>> = {
  button: 'button',
  submit: 'button',
  reset: 'button',
  image: 'button',
  checkbox: 'checkbox',
  radio: 'radio button',
  range: 'slider',
  file: 'file picker',
  color: 'color picker',
  date: 'date field',
  'datetime-local': 'date field',
  search: 'search box',
};

const ROLE_BY_TAG: Readonly<Record<string, string>> = {
  a: 'link',
  button: 'button',
  select: 'dropdown',
  textarea: 'field',
  option: 'option',
  summary: 'toggle',
  label: 'label',
  img: 'image',
  svg: 'icon',
  path: 'icon',
  i: 'icon',
};

/** Tags and roles a user clicks on purpose; anything else inside one of them is part of it. */
const CONTROL_ROLES: ReadonlySet<string> = new Set([
  'link',
  'button',
  'tab',
  'checkbox',
  'switch',
  'radio button',
  'menu item',
  'option',
  'dropdown',
  'tree item',
  'toggle',
  'slider',
  'search box',
  'field',
  'date field',
  'file picker',
  'color picker',
]);

/** How far up the chain a control may enclose the clicked icon or span. */
const MAX_CONTROL_DEPTH = 6;

/** The kind of control an element is, from its `role` attribute, input type or tag. */
export function roleOf(element: ElementInfo): string | undefined {
  const ariaRole = element.attributes.role?.trim().toLowerCase();
  if (ariaRole && ROLE_BY_ARIA_ROLE[ariaRole]) return ROLE_BY_ARIA_ROLE[ariaRole];
  if (element.tag === 'input') {
    return ROLE_BY_INPUT_TYPE[element.attributes.type?.trim().toLowerCase() ?? ''] ?? 'field';
  }
  return ROLE_BY_TAG[element.tag];
}

function isControl(element: ElementInfo): boolean {
  const role = roleOf(element);
  return role !== undefined && CONTROL_ROLES.has(role);
}

function firstPresent(...values: Array<string | undefined>): string | undefined {
  return values.find((value) => value !== undefined && value.trim() !== '');
}

/**
 * Visible text made only of symbols (`↻`, `×`, `⋯`) names nothing for someone reading a note; the
 * names after it (title, alt, developer names) are tried instead. posthog-js captures neither an
 * `<svg><title>` nor the text `aria-labelledby` points at, so an icon button often has only that.
 */
function wordsOf(text: string | undefined): string | undefined {
  return text !== undefined && /[\p{L}\p{N}]/u.test(text) ? text : undefined;
}

/**
 * The accessible name, in the order a screen reader computes it: the text `aria-labelledby` points
 * at (when the source knew it), then `aria-label`, before the visible text, so an icon button
 * `<button aria-label="Retry payment">↻</button>` is "Retry payment"; then `title`, `alt`, a form
 * field's label or `name`, `placeholder`. Never an input's value.
 */
function readableName(element: ElementInfo): string | undefined {
  const { attributes } = element;
  const isField = element.tag === 'input' || element.tag === 'textarea' || element.tag === 'select';
  return firstPresent(
    element.labelledByText,
    attributes['aria-label'],
    isField ? undefined : wordsOf(element.text),
    attributes.title,
    attributes.alt,
    element.label,
    attributes.name,
    attributes.placeholder,
  );
}

/** Names developers give an element; they say which element it was without carrying user data. */
function developerName(element: ElementInfo): string | undefined {
  const { attributes } = element;
  return firstPresent(
    attributes['data-attr'],
    attributes['data-testid'],
    attributes['data-test-id'],
    attributes['data-test'],
    attributes['data-cy'],
    attributes['data-action'],
    element.id,
  );
}

function linkTarget(element: ElementInfo): string | undefined {
  const href = element.href?.trim();
  if (!href || href.startsWith('#') || /^javascript:/i.test(href)) return undefined;
  return href;
}

/**
 * Names the clicked element. When the user hit an icon or span inside a button or link, the enclosing
 * control is what gets named, with the icon's own names as a fallback. `fallbackText` is the event's
 * top-level `$el_text`.
 */
export function describeClickTarget(elements: readonly ElementInfo[], fallbackText?: string): ElementLabel {
  const target = elements[0];
  if (!target) return firstPresent(fallbackText) ? { label: fallbackText } : {};
  const control = isControl(target)
    ? target
    : elements.slice(1, MAX_CONTROL_DEPTH + 1).find((element) => isControl(element));
  const primary = control ?? target;
  const label = firstPresent(
    readableName(primary),
    readableName(target),
    wordsOf(fallbackText),
    developerName(primary),
    developerName(target),
    linkTarget(primary),
    primary.text,
    fallbackText,
  );
  const role = roleOf(primary);
  return { ...(label !== undefined ? { label } : {}), ...(role !== undefined ? { role } : {}) };
}

/** Names the form of a submit event: its name, id or accessible name. */
export function describeForm(elements: readonly ElementInfo[]): ElementLabel {
  const form = elements.find((element) => element.tag === 'form') ?? elements[0];
  if (!form) return {};
  const label = firstPresent(
    form.attributes['aria-label'],
    form.attributes.name,
    form.attributes.title,
    developerName(form),
  );
  return label !== undefined ? { label } : {};
}

/** Names the field of a change event, from its label-like attributes only: never its value or text. */
export function describeField(elements: readonly ElementInfo[]): ElementLabel {
  const field = elements[0];
  if (!field) return {};
  const { attributes } = field;
  const label = firstPresent(
    field.labelledByText,
    attributes['aria-label'],
    field.label,
    attributes.name,
    attributes.placeholder,
    attributes.title,
    developerName(field),
  );
  const role =
    field.tag === 'input' || field.tag === 'select' || field.tag === 'textarea' ? roleOf(field) : 'field';
  return { ...(label !== undefined ? { label } : {}), role: role ?? 'field' };
}
