import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_REDACTION_INPUT_LENGTH, redactText } from './index.js';
import { BUILT_IN_RULES } from './redact-text.js';
import {
  apiKeyArbitrary,
  cardArbitrary,
  emailArbitrary,
  ibanArbitrary,
  ipArbitrary,
  jwtArbitrary,
  phoneArbitrary,
} from './secret-arbitraries.test-support.js';

/**
 * The pieces that made the old patterns backtrack (runs of `eyJ-`, `a-` before an `@`, `=` padding,
 * digit groups, spaces), and the starts of every rule (schemes, labels, `://`, path keywords).
 */
const HOSTILE_PIECES = [
  'eyJ-',
  'eyJ',
  'eyJ_',
  'a-',
  'a.',
  '@',
  '=',
  '==',
  '0',
  '4111',
  '1 ',
  ' ',
  '  ',
  '.',
  '-',
  '_',
  '/',
  ':',
  '%',
  '+',
  '+1',
  '(',
  'Bearer ',
  'Token ',
  'password: ',
  'pwd=',
  'token=',
  '?a=',
  'https://',
  '/reset/',
  'sk_live_',
  'AKIA',
  'DE89',
  '::',
  '\u200b',
  '４',
];

const base64Like = fc.string({
  unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_'.split('')),
  minLength: 1,
  maxLength: 64,
});

/** One hostile unit (a few pieces, or base64-like text), repeated up to about 100 KB. */
const hostileText = fc
  .tuple(
    fc.array(fc.oneof(fc.constantFrom(...HOSTILE_PIECES), base64Like), { minLength: 1, maxLength: 6 }),
    fc.integer({ min: 1, max: 100_000 }),
  )
  .map(([pieces, length]) => {
    const unit = pieces.join('');
    return unit.repeat(Math.max(1, Math.floor(length / unit.length)));
  });

const secret = fc.oneof(
  emailArbitrary,
  cardArbitrary,
  ibanArbitrary,
  jwtArbitrary,
  apiKeyArbitrary,
  phoneArbitrary,
  ipArbitrary,
);

describe('redaction of hostile input', () => {
  it('finishes and is idempotent on runs of hostile pieces up to 100 KB', () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        const once = redactText(text);
        // The input is cut at the cap; placeholders may be longer than what they replace (`pw=x`).
        expect(once.length).toBeLessThanOrEqual(3 * MAX_REDACTION_INPUT_LENGTH);
        expect(redactText(once)).toBe(once);
      }),
      { numRuns: 150 },
    );
  });

  it('never leaves a secret planted between hostile runs', () => {
    fc.assert(
      fc.property(hostileText, secret, hostileText, (before, planted, after) => {
        // The secret must fall inside the part that is kept; what lies beyond the cap is cut.
        const head = before.slice(0, 4000);
        const output = redactText(`${head} ${planted} ${after}`);
        expect(output).not.toContain(planted);
      }),
      { numRuns: 300 },
    );
  });

  it('every rule on its own finishes on 100 KB of hostile text (no length cap in front of it)', () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        for (const rule of BUILT_IN_RULES) {
          rule.pattern.lastIndex = 0;
          expect(typeof text.replace(rule.pattern, rule.replace)).toBe('string');
        }
      }),
      { numRuns: 40 },
    );
  });
});
