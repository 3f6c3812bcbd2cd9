/**
 * Characters that render as nothing and can sit inside a secret to hide it from the rules (`john​@…`):
 * soft hyphen, zero-width space/joiners, direction marks and overrides, word joiner and invisible
 * operators, the byte-order mark.
 */
export const INVISIBLE_CHARACTERS = /[\u00AD\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF]/g;

/** The zero of each block of decimal digits that people type in place of ASCII ones. */
const DIGIT_ZEROS = [
  0xff10, // fullwidth
  0x0660, // Arabic-Indic
  0x06f0, // extended Arabic-Indic
  0x0966, // Devanagari
];

/** Fullwidth separators that can stand between the groups of a number. */
const SEPARATOR_EQUIVALENTS: ReadonlyMap<number, string> = new Map([
  [0x3000, ' '], // ideographic space
  [0xff0d, '-'],
  [0xff0e, '.'],
  [0xff0f, '/'],
  [0xff3f, '_'],
  [0xff0b, '+'],
  [0xff08, '('],
  [0xff09, ')'],
]);

function asciiEquivalent(code: number): string | undefined {
  for (const zero of DIGIT_ZEROS) {
    if (code >= zero && code <= zero + 9) return String.fromCharCode(48 + code - zero);
  }
  return SEPARATOR_EQUIVALENTS.get(code);
}

/**
 * The text as the rules should see it: invisible characters removed, other scripts' digits and
 * fullwidth separators turned into ASCII. One pass, one code unit at a time; returns `text` itself when
 * there is nothing to change.
 */
export function normalizeForRedaction(text: string): string {
  let hasNonAscii = false;
  for (let index = 0; index < text.length; index++) {
    if (text.charCodeAt(index) > 0x7f) {
      hasNonAscii = true;
      break;
    }
  }
  if (!hasNonAscii) return text;
  INVISIBLE_CHARACTERS.lastIndex = 0;
  const visible = text.replace(INVISIBLE_CHARACTERS, '');
  let result = '';
  let copiedUpTo = 0;
  for (let index = 0; index < visible.length; index++) {
    const code = visible.charCodeAt(index);
    if (code < 0x660) continue;
    const replacement = asciiEquivalent(code);
    if (replacement === undefined) continue;
    result += visible.slice(copiedUpTo, index) + replacement;
    copiedUpTo = index + 1;
  }
  return copiedUpTo === 0 ? visible : result + visible.slice(copiedUpTo);
}
