/**
 * `pnpm bench`: runs every benchmark in turn and prints one table of the headline figures against
 * their goals. Each benchmark also prints its own detailed table as it goes.
 * Run it on a quiet machine: the figures are only as good as the idle CPU they get.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Figure } from './report.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const resultsFile = join(mkdtempSync(join(tmpdir(), 'threadline-bench-')), 'figures.jsonl');
const benchmarks = [
  'capture',
  'passthrough',
  'sources',
  'hostile-capture',
  'redaction',
  'webhook',
  'notes',
  'workspaces',
  'mcp',
  'summary-retention',
  'workers',
  'streams',
];

const failures: string[] = [];
for (const name of benchmarks) {
  const script = join(root, 'bench', `${name}.ts`);
  console.log(`\n=== ${name} ===`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', script], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, BENCH_RESULTS_FILE: resultsFile },
  });
  if (run.status !== 0) failures.push(`${name} (exit ${run.status ?? run.signal})`);
}

let figures: Figure[] = [];
try {
  figures = readFileSync(resultsFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Figure);
} catch {}

console.log(
  `\n## Threadline benchmarks — ${cpus().length} cores, Node ${process.version}, load ${loadavg()[0]?.toFixed(2)} at the end\n`,
);
console.log('| benchmark | figure | measured | goal | met |');
console.log('| --- | --- | --- | --- | --- |');
for (const figure of figures) {
  const met = figure.met === undefined ? '' : figure.met ? 'yes' : 'no';
  console.log(
    `| ${figure.benchmark} | ${figure.name} | ${figure.value} ${figure.unit} | ${figure.goal ?? ''} | ${met} |`,
  );
}
if (failures.length > 0) {
  console.error(`\nBenchmarks that did not finish: ${failures.join(', ')}`);
  process.exit(1);
}
