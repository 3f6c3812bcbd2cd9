import type { ConfigSources } from '@threadline/config';

/** What a command may touch of the outside world; main.ts passes the process's, tests pass their own. */
export interface CliIo {
  /** The merged configuration variables (environment, then .env, then a running start command's defaults). */
  env: Record<string, string | undefined>;
  /** Where each of them came from, for `doctor` (absent: all from the environment). */
  configSources?: ConfigSources;
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/** A failure the person at the terminal can act on: printed as one line (plus details), exit 1. */
export class CliError extends Error {
  readonly details: string[];

  constructor(message: string, details: string[] = []) {
    super(message);
    this.name = 'CliError';
    this.details = details;
  }
}

export function printJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLines(io: CliIo, lines: string[]): void {
  io.stdout.write(`${lines.join('\n')}\n`);
}
