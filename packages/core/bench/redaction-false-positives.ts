/**
 * Prints how often redactText changes benign UI text (false positives) and how often it removes a
 * known secret (detection), with every line that misbehaves.
 *
 * Run: `cd packages/core && npx tsx bench/redaction-false-positives.ts`
 */
import { readFileSync } from 'node:fs';
import { redactText } from '../src/redaction/index.js';

function readLines(name: string): string[] {
  const text = readFileSync(new URL(`../test-fixtures/${name}`, import.meta.url), 'utf8');
  return text.split('\n').filter((line) => line.trim() !== '');
}

const benign = readLines('benign-corpus.txt');
const changed = benign.filter((line) => redactText(line) !== line);
console.log(
  `false positives: ${changed.length}/${benign.length} = ${((100 * changed.length) / benign.length).toFixed(2)}%`,
);
for (const line of changed) console.log(`  ${line}\n    -> ${redactText(line)}`);

const secretMarker = /⟦([^⟧]*)⟧/g;
const mustRedact = readLines('must-redact-corpus.txt');
const missed = mustRedact.filter((line) => {
  const output = redactText(line.replace(secretMarker, '$1'));
  return [...line.matchAll(secretMarker)].some(
    ([, secret]) => secret !== undefined && output.includes(secret),
  );
});
const detected = mustRedact.length - missed.length;
console.log(
  `detection: ${detected}/${mustRedact.length} = ${((100 * detected) / mustRedact.length).toFixed(2)}%`,
);
for (const line of missed) console.log(`  ${line}\n    -> ${redactText(line.replace(secretMarker, '$1'))}`);
