import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import benignCorpus from '../../test-fixtures/benign-corpus.txt?raw';
import mustRedactCorpus from '../../test-fixtures/must-redact-corpus.txt?raw';
import { normalizeForRedaction } from './normalize-for-redaction.js';
import { BUILT_IN_RULES, redactText } from './redact-text.js';
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

/** Every rule on every pass, no pre-check and no memory: what `redactText` must always agree with. */
function redactWithEveryRule(text: string): string {
  const normalized = normalizeForRedaction(text);
  let result = normalized;
  for (let pass = 0; pass < 4; pass++) {
    let next = result;
    for (const rule of BUILT_IN_RULES) {
      rule.pattern.lastIndex = 0;
      next = next.replace(rule.pattern, rule.replace);
    }
    if (next === result) break;
    result = next;
  }
  return result === normalized ? text : result;
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
    const symbols = fc.string({
      unit: fc.constantFrom(
        ...[...'0123456789 .-+()@:/=?&#_eyJBearicTokpsw', '\u200b', '\u00ad', '４', '１', '－', '٣'],
      ),
    });
    const text = fc
      .array(fc.oneof(benignTextArbitrary, secret, symbols, fc.string({ maxLength: 40 })), { maxLength: 8 })
      .map((parts) => parts.join(' '));
    fc.assert(
      fc.property(text, (generated) => expectSameAsEveryRule(generated)),
      { numRuns: 3000 },
    );
  });
});
