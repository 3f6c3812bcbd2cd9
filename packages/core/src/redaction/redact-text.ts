import { CREDENTIAL_RULES, HIGH_ENTROPY_RULE } from './credential-rules.js';
import { LruMap } from './lru-map.js';
import { normalizeForRedaction } from './normalize-for-redaction.js';
import { PERSONAL_DATA_RULES } from './personal-data-rules.js';
import { isPlaceholder, PLACEHOLDERS } from './placeholders.js';
import type { RedactionRule } from './redaction-rule.js';
import { textTraits } from './text-traits.js';
import { URL_SECRET_RULES } from './url-secret-rules.js';

/** Options of {@link redactText}. */
export interface RedactionOptions {
  /** More things to redact, each replaced by `[redacted]`. Applied before the built-in rules. */
  extraPatterns?: readonly RegExp[];
}

/** Longest text redacted; longer input is cut (at a word boundary) and ends with `…`. */
export const MAX_REDACTION_INPUT_LENGTH = 16_384;

/** Every rule `redactText` applies, in order. */
export const BUILT_IN_RULES: readonly RedactionRule[] = [
  ...URL_SECRET_RULES,
  ...CREDENTIAL_RULES,
  ...PERSONAL_DATA_RULES,
  HIGH_ENTROPY_RULE,
];

function extraPatternRule(pattern: RegExp): RedactionRule {
  const flags = pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`;
  return {
    name: 'extra',
    pattern: new RegExp(pattern.source, flags),
    replace: (match: string) => (match === '' || isPlaceholder(match) ? match : PLACEHOLDERS.redacted),
  };
}

/** The last whitespace of `text`, looked for from the end (a search from the start would be quadratic). */
function lastWhitespace(text: string): number {
  for (let index = text.length - 1; index >= 0; index--) {
    if (WHITESPACE.test(text[index] ?? '')) return index;
  }
  return -1;
}

const WHITESPACE = /^\s$/;

/**
 * Cuts text longer than the cap back to the last whitespace, so that no half of a secret survives
 * in a form the rules no longer recognise.
 */
function capLength(text: string): string {
  if (text.length <= MAX_REDACTION_INPUT_LENGTH) return text;
  const cut = text.slice(0, MAX_REDACTION_INPUT_LENGTH - 1);
  const lastSpace = lastWhitespace(cut);
  // The whitespace stays, so that `…` is a word of its own and never becomes part of a value.
  return `${lastSpace > 0 ? cut.slice(0, lastSpace + 1) : cut}…`;
}

/**
 * Replaces emails, payment cards, phone numbers, IBANs, SSNs, JWTs, authorization tokens, API keys,
 * high-entropy secrets, secrets in URLs and IP addresses with stable placeholders (`[email]`, `[card]`,
 * `[phone]`, `[iban]`, `[ssn]`, `[jwt]`, `[token]`, `[secret]`, `[ip]`, `[redacted]`).
 *
 * The rules see the text without invisible characters and with other scripts' digits as ASCII (see
 * {@link normalizeForRedaction}), so `john\u200b@example.com` and fullwidth card numbers are found too;
 * a text in which nothing was found comes back exactly as it was given.
 *
 * Idempotent, linear in the input (every pattern is checked by a ReDoS checker in the tests), and leaves
 * ordinary UI text (labels, paths, prices, dates, versions, order numbers) alone. Input longer than
 * {@link MAX_REDACTION_INPUT_LENGTH} is cut.
 */
export function redactText(text: string, options: RedactionOptions = {}): string {
  const extraPatterns = options.extraPatterns ?? [];
  if (extraPatterns.length === 0) return redactWithBuiltInRules(text);
  return redactNormalized(text, [...extraPatterns.map(extraPatternRule), ...BUILT_IN_RULES]);
}

function redactNormalized(text: string, rules: readonly RedactionRule[]): string {
  const normalized = normalizeForRedaction(text);
  const result = redactWithRules(normalized, rules);
  return result === normalized && text.length <= MAX_REDACTION_INPUT_LENGTH ? text : result;
}

/** Most texts are labels and paths seen over and over; these are the ones known to need nothing. */
const KNOWN_CLEAN_TEXTS = new LruMap<string, true>(4096);
const MAX_KNOWN_CLEAN_LENGTH = 256;

/**
 * Only texts the rules left unchanged are remembered, so the memory never holds anything redaction
 * would have hidden, and a hit returns exactly what the rules would.
 */
function redactWithBuiltInRules(text: string): string {
  if (KNOWN_CLEAN_TEXTS.get(text)) return text;
  const result = redactNormalized(text, BUILT_IN_RULES);
  if (result === text && text.length <= MAX_KNOWN_CLEAN_LENGTH) KNOWN_CLEAN_TEXTS.set(text, true);
  return result;
}

function redactWithRules(text: string, rules: readonly RedactionRule[]): string {
  let result = capLength(text);
  // A placeholder can end a run that hid a secret from an earlier rule (`4111… 10.0.0.1` is one long
  // digit run until the address goes), so repeat until nothing changes; two passes are the norm.
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const next = applyRules(result, rules);
    if (next === result) break;
    result = next;
  }
  // Placeholders can be longer than what they replace; cut again so that the output, too, stays
  // within the cap (and a second redaction does not cut it differently).
  return result.length > MAX_REDACTION_INPUT_LENGTH ? capLength(result) : result;
}

const MAX_PASSES = 4;

function applyRules(text: string, rules: readonly RedactionRule[]): string {
  let result = text;
  let traits = textTraits(result);
  for (const rule of rules) {
    if (rule.mayChange && !rule.mayChange(result, traits)) continue;
    rule.pattern.lastIndex = 0;
    const next = result.replace(rule.pattern, rule.replace);
    if (next !== result) {
      result = next;
      // The pre-checks of later rules must see the text as it is now.
      traits = textTraits(result);
    }
  }
  return result;
}
