import { ibanLengthOf, isValidIban } from './iban-checksum.js';
import { isIpv6Address } from './is-ipv6-address.js';
import { passesLuhn } from './luhn.js';
import { PLACEHOLDERS } from './placeholders.js';
import { redactDigitGroups } from './redact-digit-groups.js';
import type { RedactionRule } from './redaction-rule.js';

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';

/**
 * Letters and digits of an email: ASCII, `_`, and the letter blocks of other scripts (Latin-1 letters
 * through Greek, Cyrillic, Hebrew, Arabic, Indic…, then kana, CJK and Hangul), leaving out the
 * punctuation and symbol blocks. Ranges rather than `\p{L}` with the `u` flag, which is about ten times
 * slower on ordinary text.
 */
const EMAIL_CHARACTER = String.raw`A-Za-z0-9_\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u1FFF\u3040-\uD7FF\uF900-\uFDFF\uFE70-\uFEFE`;

/**
 * The local part starts where a run of its characters starts (the look-behind), so each run is read
 * once; starting anywhere inside it would rescan the run from every position (quadratic before an `@`).
 * Letters of any script are allowed on both sides (`jöhn@exämple.com`).
 */
const EMAIL = new RegExp(
  `(?<![${EMAIL_CHARACTER}.%+'-])[${EMAIL_CHARACTER}.%+'-]+@[${EMAIL_CHARACTER}-]{1,63}(?:\\.[${EMAIL_CHARACTER}-]{1,63}){1,8}`,
  'g',
);

const TOP_LEVEL_DOMAIN = /^\p{L}{2,24}$/u;

/**
 * The same separator between every group, so that one alternative per separator replaces a
 * back-reference (which a ReDoS checker cannot prove linear).
 */
function sameSeparatorAlternatives(separators: readonly string[], group: (separator: string) => string) {
  return separators.map((separator) => group(separator.replace(/[./]/g, (character) => `\\${character}`)));
}

/** 13 to 19 digits, or groups of 3 to 6 after a group of 4, separated by one of ` -._/` throughout. */
const CARD = new RegExp(
  String.raw`(?<![\d.,])(?:\d{13,19}|${sameSeparatorAlternatives([' ', '-', '.', '_', '/'], (separator) => String.raw`\d{4}(?:${separator}\d{3,6}){2,4}`).join('|')})(?!\d)`,
  'g',
);

const NORTH_AMERICAN_PHONE = new RegExp(
  String.raw`(?<![\w.,:/-])(?:1[ .-])?(?:${sameSeparatorAlternatives(['-', '.', ' '], (separator) => String.raw`\d{3}${separator}\d{3}${separator}\d{4}`).join('|')})(?![\w.,/-]?\d)`,
  'g',
);

const TRUNK_PREFIXED_PHONE = new RegExp(
  String.raw`(?<![\w.,:/-])0\d{1,4}(?:${sameSeparatorAlternatives([' ', '-'], (separator) => String.raw`${separator}\d{2,8}(?:${separator}\d{2,8}){0,3}`).join('|')})(?![\w.,/-]?\d)`,
  'g',
);

function digitCount(text: string): number {
  let count = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code >= 48 && code <= 57) count++;
  }
  return count;
}

function isCardNumber(run: string): boolean {
  // Most runs tried (see redactDigitGroups) have the wrong number of digits: count before copying.
  const count = digitCount(run);
  if (count < 13 || count > 19) return false;
  const digits = run.replace(/\D/g, '');
  return digits.length >= 13 && digits.length <= 19 && passesLuhn(digits);
}

const IBAN_START = /^[A-Za-z]{2}\d{2}/;

/**
 * The match can take in a neighbouring word of the same shape (`DE89 DE36 0000 …`), so each group that
 * can start an IBAN is tried with as many following groups as make up its country's length (or, for a
 * country whose length we do not know, every length): one checksum per start, not one per sub-run.
 */
function redactIbanGroups(match: string): string {
  if (isValidIban(match)) return PLACEHOLDERS.iban;
  const groups = match.split(' ');
  if (groups.length === 1) return match;
  for (let first = 0; first < groups.length; first++) {
    const head = groups[first] ?? '';
    if (!IBAN_START.test(head)) continue;
    const expected = ibanLengthOf(head.slice(0, 2).toUpperCase());
    let length = 0;
    for (let last = first; last < groups.length; last++) {
      length += (groups[last] ?? '').length;
      if (expected !== undefined && length < expected) continue;
      if (expected !== undefined && length > expected) break;
      // A single group can be a whole IBAN written without spaces (`DE89 DE36000000000000000000`).
      if (isValidIban(groups.slice(first, last + 1).join(' '))) {
        return [...groups.slice(0, first), PLACEHOLDERS.iban, ...groups.slice(last + 1)].join(' ');
      }
    }
  }
  return match;
}

function phoneIfPlausible(match: string, minimumDigits: number): string {
  return redactDigitGroups(
    match,
    (run) => {
      const digits = digitCount(run);
      return digits >= minimumDigits && digits <= 15;
    },
    PLACEHOLDERS.phone,
    true,
  );
}

/**
 * Personal data found by shape and confirmed by a checksum where one exists: emails, IBANs (mod-97),
 * card numbers (Luhn), US SSNs, IPv4/IPv6 addresses and phone numbers.
 */
export const PERSONAL_DATA_RULES: readonly RedactionRule[] = [
  {
    name: 'email',
    pattern: EMAIL,
    replace: (match) => {
      const topLevel = match.slice(match.lastIndexOf('.') + 1);
      return TOP_LEVEL_DOMAIN.test(topLevel) ? PLACEHOLDERS.email : match;
    },
    mayChange: (text) => text.includes('@'),
  },
  {
    name: 'iban',
    pattern: /\b[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]{4}){2,7}(?: ?[A-Za-z0-9]{1,4})?\b/g,
    replace: (match) => redactIbanGroups(match),
    // Two check digits follow the country code.
    mayChange: (_text, traits) => traits.digits >= 2,
  },
  {
    name: 'card',
    pattern: CARD,
    replace: (match) =>
      redactDigitGroups(
        match,
        isCardNumber,
        PLACEHOLDERS.card,
        false,
        (digits) => digits >= 13 && digits <= 19,
      ),
    // `isCardNumber` wants 13 to 19 digits.
    mayChange: (_text, traits) => traits.digits >= 13,
  },
  {
    name: 'ssn',
    pattern: /(?<![\d-])\d{3}-\d{2}-\d{4}(?![\d-])/g,
    replace: () => PLACEHOLDERS.ssn,
    mayChange: (text, traits) => traits.digits >= 9 && text.includes('-'),
  },
  {
    name: 'ipv6',
    pattern: /(?<![\w:.])[0-9A-Fa-f:]{2,39}(?:\.\d{1,3}){0,3}(?![\w:])/g,
    replace: (match) => (match.includes(':') && isIpv6Address(match) ? PLACEHOLDERS.ip : match),
    // Only matches with a colon are replaced.
    mayChange: (text) => text.includes(':'),
  },
  {
    name: 'ipv4',
    pattern: new RegExp(`(?<![\\d.vV]|\\b[Vv]ersion )(?:${OCTET}\\.){3}${OCTET}(?!\\.?\\d)`, 'g'),
    replace: () => PLACEHOLDERS.ip,
    mayChange: (text, traits) => traits.digits >= 4 && text.includes('.'),
  },
  {
    name: 'international-phone',
    pattern: /(?<![\w+])\+\d{1,3}(?:[ .-]?\(\d{1,4}\))?(?:[ .-]?\d){6,14}(?!\d)/g,
    replace: (match) => phoneIfPlausible(match, 8),
    // `phoneIfPlausible` wants at least 8 digits here (9 and 10 in the rules below).
    mayChange: (text, traits) => traits.digits >= 8 && text.includes('+'),
  },
  {
    name: 'parenthesized-area-code-phone',
    pattern: /(?<![\w)])\(\d{2,5}\)(?:[ .-]?\d){6,10}(?!\d)/g,
    replace: (match) => phoneIfPlausible(match, 9),
    mayChange: (text, traits) => traits.digits >= 9 && text.includes('('),
  },
  {
    name: 'north-american-phone',
    pattern: NORTH_AMERICAN_PHONE,
    replace: () => PLACEHOLDERS.phone,
    mayChange: (_text, traits) => traits.digits >= 10,
  },
  {
    name: 'trunk-prefixed-phone',
    pattern: TRUNK_PREFIXED_PHONE,
    replace: (match) => (/[ -]/.test(match) ? phoneIfPlausible(match, 10) : match),
    mayChange: (_text, traits) => traits.digits >= 10,
  },
  {
    name: 'labelled-phone',
    pattern:
      /\b(phone|tel|mobile|cell|call|sms|whatsapp|fax)(\s?(?:no\.?|number|#)?\s?:?\s?)(\d[\d .-]{5,18}\d)(?!\d)/gi,
    replace: (match, label: string, gap: string, number: string) => {
      const digits = digitCount(number);
      return digits >= 7 && digits <= 15 ? `${label}${gap}${PLACEHOLDERS.phone}` : match;
    },
    // The number must hold 7 to 15 digits.
    mayChange: (_text, traits) => traits.digits >= 7,
  },
];
