import type { ElementInfo } from './element-info.js';

/** Longest chain read; PostHog caps element text at 400 and hrefs at 2048 characters per element. */
const MAX_CHAIN_LENGTH = 64 * 1024;
const MAX_ELEMENTS = 64;

const QUOTE = 34; // "
const BACKSLASH = 92; // \
const SEMICOLON = 59; // ;

/** Splits on `;` outside double quotes; `\"` inside quotes is an escaped quote. */
function splitElements(chain: string): string[] {
  const parts: string[] = [];
  let start = 0;
  let isQuoted = false;
  for (let index = 0; index < chain.length; index++) {
    const code = chain.charCodeAt(index);
    if (isQuoted) {
      if (code === BACKSLASH) index++;
      else if (code === QUOTE) isQuoted = false;
    } else if (code === QUOTE) {
      isQuoted = true;
    } else if (code === SEMICOLON) {
      pushTrimmed(parts, chain.slice(start, index));
      start = index + 1;
    }
  }
  pushTrimmed(parts, chain.slice(start));
  return parts;
}

function pushTrimmed(parts: string[], part: string): void {
  const trimmed = part.trim();
  if (trimmed !== '') parts.push(trimmed);
}

/** `[A-Za-z0-9_-]`, the characters of an attribute key. */
function isKeyCharacter(code: number): boolean {
  return (
    (code >= 97 && code <= 122) ||
    (code >= 65 && code <= 90) ||
    (code >= 48 && code <= 57) ||
    code === 95 ||
    code === 45
  );
}

/**
 * The tag and classes end at the first `:` that starts a `key=` pair; earlier colons belong to class
 * names such as Tailwind's `hover:bg-blue-500`.
 */
function attributesStart(element: string): number {
  for (let index = element.indexOf(':'); index !== -1; index = element.indexOf(':', index + 1)) {
    let cursor = index + 1;
    while (cursor < element.length && isKeyCharacter(element.charCodeAt(cursor))) cursor++;
    if (element[cursor] === '=') return index;
  }
  return -1;
}

/**
 * A quoted value from just after its opening quote, and where its closing quote is (the text's length
 * when unterminated). A backslash right before a quote escapes it; any other backslash is itself.
 */
function readQuotedValue(text: string, from: number): { value: string; end: number } {
  let value = '';
  let segmentStart = from;
  let quote = text.indexOf('"', from);
  while (quote !== -1 && text.charCodeAt(quote - 1) === BACKSLASH) {
    value += `${text.slice(segmentStart, quote - 1)}"`;
    segmentStart = quote + 1;
    quote = text.indexOf('"', segmentStart);
  }
  const end = quote === -1 ? text.length : quote;
  return { value: value + text.slice(segmentStart, end), end };
}

function parseAttributes(text: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  let cursor = 0;
  while (cursor < text.length) {
    const equals = text.indexOf('="', cursor);
    if (equals === -1) break;
    const { value, end } = readQuotedValue(text, equals + 2);
    pairs.push([text.slice(cursor, equals), value]);
    cursor = end + 1;
  }
  return pairs;
}

function toInteger(value: string): number | undefined {
  const number = Number.parseInt(value, 10);
  return Number.isFinite(number) ? number : undefined;
}

function parseElement(element: string): ElementInfo {
  const split = attributesStart(element);
  const head = split === -1 ? element.replace(/:$/, '') : element.slice(0, split);
  const [tag = '', ...classes] = head.split('.');
  const info: ElementInfo = { tag: tag.toLowerCase(), classes: classes.filter(Boolean), attributes: {} };
  if (split === -1) return info;
  for (const [key, value] of parseAttributes(element.slice(split + 1))) {
    if (key === 'text') info.text = value;
    else if (key === 'href') info.href = value;
    else if (key === 'attr_id') info.id = value;
    else if (key === 'nth-child') info.nthChild = toInteger(value);
    else if (key === 'nth-of-type') info.nthOfType = toInteger(value);
    else if (key.startsWith('attr__')) {
      const name = key.slice('attr__'.length);
      if (name === 'id') info.id ??= value;
      else if (name === 'href') info.href ??= value;
      else if (name !== 'class') info.attributes[name] = value;
    }
  }
  return info;
}

/**
 * Parses PostHog's `$elements_chain` string: elements separated by `;`, each
 * `tag.class1.class2:key="value"key2="value"` with keys `text`, `href`, `nth-child`, `nth-of-type`,
 * `attr_id` and `attr__<html attribute>`. The first element is the one the user acted on, then its
 * ancestors. Never throws; malformed parts yield what could be read.
 */
export function parseElementsChain(chain: string): ElementInfo[] {
  return splitElements(chain.slice(0, MAX_CHAIN_LENGTH)).slice(0, MAX_ELEMENTS).map(parseElement);
}
