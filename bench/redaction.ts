/**
 * Redaction cost on hostile text: `redactText` time per KB over an adversarial corpus (the inputs that
 * made the old JWT, email and padding patterns backtrack, and runs of every rule's trigger), against
 * benign text of the same size; each rule's pattern alone on 100 KB of the same runs (no length cap in
 * front of it); and `describeEvent` over the 1,000-event page view batch of the security review (every
 * `$current_url` repeats `eyJ-`). Pure CPU, no Redis. Run with `pnpm bench:redaction`.
 */
import { readFileSync } from 'node:fs';
import { type CapturedEvent, describeEvent } from '../packages/core/src/index.js';
import { MAX_REDACTION_INPUT_LENGTH, redactText } from '../packages/core/src/redaction/index.js';
import { BUILT_IN_RULES } from '../packages/core/src/redaction/redact-text.js';
import { reportFigures } from './report.js';

const SIZE = MAX_REDACTION_INPUT_LENGTH;
const RAW_SIZE = 100_000;

/** `unit` repeated to `size` characters, then `tail`. */
function run(unit: string, size: number, tail = ''): string {
  return unit.repeat(Math.ceil((size - tail.length) / unit.length)).slice(0, size - tail.length) + tail;
}

/** A deterministic base64-like text (xorshift), so every run measures the same input. */
function base64Like(size: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let state = 2463534242;
  let text = '';
  while (text.length < size) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    text += alphabet[(state >>> 0) % 64];
  }
  return text;
}

const HOSTILE_UNITS: ReadonlyArray<[string, string, string?]> = [
  ['eyJ- runs (old JWT rule: 45 ms per 16 KB)', 'eyJ-'],
  ['eyJ- runs, then an email (old: 95 ms)', 'eyJ-', ' a@b.com'],
  ['eyJ-a- runs before an @ (old: 82 ms)', 'eyJ-a-', '@ a@b.com'],
  ['a- runs before an @ (old email rule)', 'a-', '@'],
  ['a. runs before an @', 'a.', '@x'],
  ['% runs before an @', '%.', '@b.com'],
  ['= padding, then a letter (old /=+$/)', '=', 'a'],
  ['eyJ_ runs', 'eyJ_'],
  ['eyJa. segments', 'eyJa.'],
  ['@ only', '@'],
  ['a@ pairs', 'a@'],
  ['digits and spaces', '1 '],
  ['4111 groups', '4111 '],
  ['4111. groups', '4111.'],
  ['+1 runs', '+1'],
  ['(12) runs', '(12) '],
  ['0 12 runs', '0 12 '],
  ['spaces', ' '],
  ['token= pairs', 'token='],
  [',a= pairs', ',a='],
  ['https:// runs', 'https://'],
  ['/reset/ segments', '/reset/'],
  ['Bearer runs', 'Bearer '],
  ['Token runs', 'Token '],
  ['password: runs', 'password: '],
  ['a: runs (IPv6 rule)', 'a:'],
  [':: runs', '::'],
  ['DE89 groups (IBAN rule)', 'DE89 '],
  ['sk_live_ runs', 'sk_live_'],
  ['zero-width spaces between letters', 'a\u200b'],
  ['fullwidth digits', '４'],
];

const adversarial: Array<{ name: string; text: string }> = [
  ...HOSTILE_UNITS.map(([name, unit, tail]) => ({ name, text: run(unit, SIZE, tail) })),
  { name: 'base64-like text', text: base64Like(SIZE) },
  { name: 'base64-like text with spaces', text: base64Like(SIZE).replace(/(.{40})/g, '$1 ') },
];

const benignLines = readFileSync(
  new URL('../packages/core/test-fixtures/benign-corpus.txt', import.meta.url),
  'utf8',
)
  .split('\n')
  .filter((line) => line.trim() !== '');
const benignText = run(`${benignLines.join(' ')} `, SIZE);

/** Milliseconds per call: the median of 5 rounds, each at least 60 ms long, after a warm-up. */
function timePerCall(work: () => void): number {
  for (let warm = 0; warm < 3; warm++) work();
  const rounds: number[] = [];
  for (let round = 0; round < 5; round++) {
    let calls = 0;
    const start = performance.now();
    while (performance.now() - start < 60) {
      work();
      calls++;
    }
    rounds.push((performance.now() - start) / calls);
  }
  return rounds.sort((a, b) => a - b)[2]!;
}

/** The fastest of three calls after one warm-up: enough to see whether a pattern backtracks. */
function quickTime(work: () => void): number {
  work();
  let best = Number.POSITIVE_INFINITY;
  for (let attempt = 0; attempt < 3; attempt++) {
    const start = performance.now();
    work();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

const perKb = (milliseconds: number, length: number) => milliseconds / (length / 1024);

const benignMsPerKb = perKb(
  timePerCall(() => redactText(benignText)),
  benignText.length,
);
const rows = adversarial.map(({ name, text }) => {
  const ms = timePerCall(() => redactText(text));
  return {
    input: name,
    'ms per call': Number(ms.toFixed(3)),
    'ms/KB': Number(perKb(ms, text.length).toFixed(4)),
  };
});
rows.sort((a, b) => b['ms/KB'] - a['ms/KB']);
console.log(`redactText on ${SIZE.toLocaleString('en')}-character inputs (the cap):`);
console.table([
  {
    input: 'benign corpus lines',
    'ms per call': Number((benignMsPerKb * (SIZE / 1024)).toFixed(3)),
    'ms/KB': Number(benignMsPerKb.toFixed(4)),
  },
  ...rows,
]);
const worst = rows[0]!;

// Each rule's pattern alone over 100 KB: the length cap is not what keeps them linear.
const rawRows = BUILT_IN_RULES.map((rule) => {
  let worstMs = 0;
  let worstInput = '';
  for (const [name, unit, tail] of HOSTILE_UNITS) {
    const text = run(unit, RAW_SIZE, tail);
    const ms = quickTime(() => {
      rule.pattern.lastIndex = 0;
      text.replace(rule.pattern, rule.replace);
    });
    if (ms > worstMs) {
      worstMs = ms;
      worstInput = name;
    }
  }
  return { rule: rule.name, 'worst ms per 100 KB': Number(worstMs.toFixed(3)), 'worst input': worstInput };
});
rawRows.sort((a, b) => b['worst ms per 100 KB'] - a['worst ms per 100 KB']);
console.log('\nEach rule alone on 100,000 characters of each hostile run:');
console.table(rawRows);

// The security review's batch: 1,000 page views whose URL repeats `eyJ-` (6,419 ms before, API loop blocked).
const events: CapturedEvent[] = Array.from({ length: 1000 }, (_, index) => ({
  event: '$pageview',
  distinctId: 'bench-user',
  timestamp: new Date('2026-12-01T12:00:00Z'),
  properties: { $current_url: `https://x/${index}${'eyJ-'.repeat(1000)}` },
}));
const batchMs = timePerCall(() => {
  for (const event of events) describeEvent(event);
});
console.log(
  `\ndescribeEvent over the 1,000 hostile page views of the security review: ${batchMs.toFixed(1)} ms`,
);

const ratio = worst['ms/KB'] / benignMsPerKb;
console.log(
  `\nworst case ${worst['ms/KB']} ms/KB (${worst.input}); benign ${benignMsPerKb.toFixed(4)} ms/KB; ratio ${ratio.toFixed(2)}×`,
);
reportFigures([
  {
    benchmark: 'redaction',
    name: `worst-case redactText time per KB, adversarial corpus (${worst.input})`,
    value: worst['ms/KB'],
    unit: 'ms/KB',
    goal: '≤ 0.2',
    met: worst['ms/KB'] <= 0.2,
  },
  {
    benchmark: 'redaction',
    name: 'worst case / benign text of the same size',
    value: Number(ratio.toFixed(2)),
    unit: '×',
    goal: '≤ 3',
    met: ratio <= 3,
  },
  {
    benchmark: 'redaction',
    name: 'benign redactText time per KB',
    value: Number(benignMsPerKb.toFixed(4)),
    unit: 'ms/KB',
  },
  {
    benchmark: 'redaction',
    name: 'describeEvent, 1,000 page views with eyJ- URLs (review: 6,419 ms)',
    value: Number(batchMs.toFixed(1)),
    unit: 'ms',
  },
]);
