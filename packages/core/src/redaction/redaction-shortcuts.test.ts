import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import benignCorpus from '../../test-fixtures/benign-corpus.txt?raw';
import mustRedactCorpus from '../../test-fixtures/must-redact-corpus.txt?raw';
import { CREDENTIAL_RULES, HIGH_ENTROPY_RULE } from './credential-rules.js';
import { PERSONAL_DATA_RULES } from './personal-data-rules.js';
import { redactText } from './redact-text.js';
import {
  apiKeyArbitrary,
  benignTextArbitrary,
  cardArbitrary,
  emailArbitrary,
  ibanArbitrary,
  ipArbitrary,
  jwtArbitrary,
  phoneArbitrary,
} from './secret-arbitraries.test-support.js';
import { URL_SECRET_RULES } from './url-secret-rules.js';

const RULES = [...URL_SECRET_RULES, ...CREDENTIAL_RULES, ...PERSONAL_DATA_RULES, HIGH_ENTROPY_RULE];

/** Every rule on every pass, no pre-check and no memory: what `redactText` must always agree with. */
function redactWithEveryRule(text: string): string {
  let result = text;
  for (let pass = 0; pass < 4; pass++) {
    let next = result;
    for (const rule of RULES) {
      rule.pattern.lastIndex = 0;
      next = next.replace(rule.pattern, rule.replace);
    }
    if (next === result) break;
    result = next;
  }
  return result;
}

/** Asks twice, so that the second answer may come from the set of known clean texts. */
function expectSameAsEveryRule(text: string): void {
  const expected = redactWithEveryRule(text);
  expect(redactText(text)).toBe(expected);
  expect(redactText(text)).toBe(expected);
}

const lines = (text: string) => text.split('\n').filter((line) => line.trim() !== '');

describe('redactText shortcuts (rule pre-checks, known clean texts)', () => {
  it('change nothing on the corpora', () => {
    for (const line of lines(benignCorpus)) expectSameAsEveryRule(line);
    for (const line of lines(mustRedactCorpus)) expectSameAsEveryRule(line.replace(/[⟦⟧]/g, ''));
  });

  it('change nothing on generated text mixing secrets, benign text and stray symbols', () => {
    const secret = fc.oneof(
      emailArbitrary,
      cardArbitrary,
      ibanArbitrary,
      jwtArbitrary,
      apiKeyArbitrary,
      phoneArbitrary,
      ipArbitrary,
    );
    const symbols = fc.string({ unit: fc.constantFrom(...'0123456789 .-+()@:/=?&#_eyJBearic'.split('')) });
    const text = fc
      .array(fc.oneof(benignTextArbitrary, secret, symbols, fc.string({ maxLength: 40 })), { maxLength: 8 })
      .map((parts) => parts.join(' '));
    fc.assert(
      fc.property(text, (generated) => expectSameAsEveryRule(generated)),
      { numRuns: 3000 },
    );
  });
});
