import type { RedactionOptions } from '../redaction/index.js';
import { cleanText, MAX_VALUE_LENGTH } from './clean-text.js';

const SEPARATOR_CHARACTERS: ReadonlySet<string> = new Set(['|', '–', '—', '·', '•', '-']);
const WHITESPACE = /^\s$/;

function isSeparatorAt(text: string, index: number): boolean {
  return (
    index >= 0 &&
    WHITESPACE.test(text[index] ?? '') &&
    SEPARATOR_CHARACTERS.has(text[index + 1] ?? '') &&
    WHITESPACE.test(text[index + 2] ?? '')
  );
}

/**
 * Where the last ` | `-like separator starts, or -1. Scanned from the end: a pattern with a
 * "no separator after this one" look-ahead rescans the rest of the title from every separator.
 * In ` - - ` the first of the two overlapping separators counts, as it always has.
 */
function lastSeparator(text: string): number {
  for (let index = text.length - 3; index >= 0; index--) {
    if (isSeparatorAt(text, index)) return isSeparatorAt(text, index - 2) ? index - 2 : index;
  }
  return -1;
}

/**
 * The page's own part of a document title: `Billing | Acme` gives `Billing`. Only the last separated
 * part is dropped, since that is where sites put their name.
 */
export function pageTitle(title: string, redaction: RedactionOptions = {}): string {
  const cleaned = cleanText(title, MAX_VALUE_LENGTH * 2, redaction);
  const separator = lastSeparator(cleaned);
  const own = separator > 0 ? cleaned.slice(0, separator) : cleaned;
  return cleanText(own, MAX_VALUE_LENGTH, redaction);
}
