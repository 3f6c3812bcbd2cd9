import type { ElementInfo } from './element-info.js';

/** Longest chain read; PostHog caps element text at 400 and hrefs at 2048 characters per element. */
const MAX_CHAIN_LENGTH = 64 * 1024;
const MAX_ELEMENTS = 64;

/** Splits on `;` outside double quotes; `\"` inside quotes is an escaped quote. */
function splitElements(chain: string): string[] {
  const parts: string[] = [];
  let start = 0;
  let isQuoted = false;
  for (let index = 0; index < chain.length; index++) {
    const character = chain[index];
    if (isQuoted) {
      if (character === '\\') index++;
      else if (character === '"') isQuoted = false;
    } else if (character === '"') {
      isQuoted = true;
    } else if (character === ';') {
      parts.push(chain.slice(start, index));
      start = index + 1;
    }
  }
  parts.push(chain.slice(start));
  return parts.map((part) => part.trim()).filter((part) => part !== '');
}

/**
 * The tag and classes end at the first `:` that starts a `key=` pair; earlier colons belong to class
 * names such as Tailwind's `hover:bg-blue-500`.
 */
function attributesStart(element: string): number {
  for (let index = element.indexOf(':'); index !== -1; index = element.indexOf(':', index + 1)) {
    let cursor = index + 1;
    while (cursor < element.length && /[A-Za-z0-9_-]/.test(element[cursor] ?? '')) cursor++;
    if (element[cursor] === '=') return index;
  }
  return -1;
}

function parseAttributes(text: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  let cursor = 0;
  while (cursor < text.length) {
    const equals = text.indexOf('="', cursor);
    if (equals === -1) break;
    const key = text.slice(cursor, equals);
    let value = '';
    let index = equals + 2;
    for (; index < text.length; index++) {
      const character = text[index];
      if (character === '\\' && text[index + 1] === '"') {
        value += '"';
        index++;
      } else if (character === '"') {
        break;
      } else {
        value += character;
      }
    }
    pairs.push([key, value]);
    cursor = index + 1;
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
