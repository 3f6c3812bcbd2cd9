import { describe, expect, it } from 'vitest';
import benignCorpus from '../../test-fixtures/benign-corpus.txt?raw';
import mustRedactCorpus from '../../test-fixtures/must-redact-corpus.txt?raw';
import { redactText } from './redact-text.js';

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '');
}

const SECRET_MARKER = /⟦([^⟧]*)⟧/g;

describe('redaction corpora', () => {
  it('changes no line of the benign corpus', () => {
    const benign = lines(benignCorpus);
    const changed = benign.filter((line) => redactText(line) !== line);
    const rate = changed.length / benign.length;
    console.warn(
      `benign corpus: ${changed.length}/${benign.length} lines changed (${(rate * 100).toFixed(2)}%)`,
    );
    expect(benign.length).toBeGreaterThanOrEqual(700);
    expect(changed).toEqual([]);
  });

  it('removes every marked secret of the must-redact corpus', () => {
    const mustRedact = lines(mustRedactCorpus);
    const missed = mustRedact.filter((line) => {
      const output = redactText(line.replace(SECRET_MARKER, '$1'));
      return [...line.matchAll(SECRET_MARKER)].some(
        ([, secret]) => secret !== undefined && output.includes(secret),
      );
    });
    console.warn(`must-redact corpus: ${mustRedact.length - missed.length}/${mustRedact.length} detected`);
    expect(mustRedact.length).toBeGreaterThanOrEqual(77);
    expect(missed).toEqual([]);
  });
});
