/**
 * How a benchmark hands its headline figures to `pnpm bench` (bench/all.ts): besides its own table,
 * each script calls `reportFigures`, which appends them as JSON lines to BENCH_RESULTS_FILE when set.
 */
import { appendFileSync } from 'node:fs';

export interface Figure {
  benchmark: string;
  name: string;
  value: number;
  unit: string;
  /** The goal as written in the issue, e.g. "≤ 10". */
  goal?: string;
  met?: boolean;
}

export function reportFigures(figures: Figure[]): void {
  const file = process.env.BENCH_RESULTS_FILE;
  if (!file) return;
  appendFileSync(file, figures.map((figure) => `${JSON.stringify(figure)}\n`).join(''));
}
