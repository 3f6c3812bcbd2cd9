import { type QueueName, queueNames } from '@threadline/jobs';
import { InvalidArgumentError, Option } from 'commander';
import type { CliIo } from './cli-io.js';
import type { Services } from './connect.js';

/** What every command gets: the outside world, the clock, and Redis on demand. */
export interface CommandContext {
  io: CliIo;
  now(): Date;
  /** Loads the config and connects on first use; runCli closes the connection at the end. */
  services(): Promise<Services>;
  /** The process's exit code once the command is done (0 unless a command sets it). */
  setExitCode(code: number): void;
}

export const allQueues: QueueName[] = [queueNames.link, queueNames.notes, queueNames.summaries];

export function queueOption(description: string): Option {
  return new Option('-q, --queue <queue>', description).choices(allQueues);
}

export function jsonOption(): Option {
  return new Option('--json', 'print one JSON document instead of text');
}

/** Commander parser for `--limit`: a whole number from 1 to `max`. */
export function positiveInteger(max: number): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 1 || parsed > max) {
      throw new InvalidArgumentError(`use a whole number from 1 to ${max}`);
    }
    return parsed;
  };
}
