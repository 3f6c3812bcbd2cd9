/**
 * Summary quality: on the recorded journeys (packages/core/src/summaries/recorded-journeys.test-support.ts),
 * how many of the error messages and pages named in the raw action lines the extractive summary note
 * keeps. Run with `pnpm bench:summary` (or `npx tsx bench/summary-retention.ts`). Exits 1 below 100 %.
 */

import { measureRetention } from '../packages/core/src/summaries/summary-retention.test-support.js';
import { reportFigures } from './report.js';

const results = measureRetention();
const rows = results.map((result) => ({
  journey: result.name,
  kept: `${result.kept}/${result.expected}`,
  missing: result.missing.join('; ') || '-',
}));
console.table(rows);
const kept = results.reduce((total, result) => total + result.kept, 0);
const expected = results.reduce((total, result) => total + result.expected, 0);
console.log(
  `retention: ${kept}/${expected} error messages and pages kept = ${((100 * kept) / expected).toFixed(1)} %`,
);
if (kept < expected) process.exitCode = 1;
reportFigures([
  {
    benchmark: 'summaries',
    name: 'error messages and pages kept by the extractive summary',
    value: Number(((100 * kept) / expected).toFixed(1)),
    unit: '%',
    goal: '100',
    met: kept === expected,
  },
]);
