import { INVISIBLE_CHARACTERS } from './normalize-for-redaction.js';
import { BUILT_IN_RULES } from './redact-text.js';

/** A regular expression that runs on text that came from the product (and so from anyone). */
export interface ProductTextPattern {
  /** Where it is used, for the test's messages. */
  name: string;
  pattern: RegExp;
}

/**
 * Every pattern redaction runs over product text, in one list so that the ReDoS test checks each (see
 * product-text-patterns.test.ts, which also checks every regular expression literal under redaction/,
 * actions/ and packages/capture, and fails on a `new RegExp` it does not know).
 */
export const PRODUCT_TEXT_PATTERNS: readonly ProductTextPattern[] = [
  ...BUILT_IN_RULES.map((rule) => ({ name: `redaction rule ${rule.name}`, pattern: rule.pattern })),
  { name: 'invisible characters removed before redaction', pattern: INVISIBLE_CHARACTERS },
];
