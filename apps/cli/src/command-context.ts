import type { Config } from '@threadline/config';
import { isQueueName, type QueueName, queueNamesFor } from '@threadline/jobs';
import { InvalidArgumentError, Option } from 'commander';
import { CliError, type CliIo } from './cli-io.js';
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

/** The deployment's queues, as `threadline status` lists them: link, notes, notes-1 … (NOTE_QUEUE_SHARDS), summaries. */
export function allQueues(config: Pick<Config, 'notes'>): QueueName[] {
  return queueNamesFor(config.notes.queueShards);
}

/**
 * `--queue`: one queue by its exact name. `notes` is the first notes shard only, as in `status`; the
 * others are `notes-1`, `notes-2`, … (without `--queue` a command covers every queue).
 */
export function queueOption(description: string): Option {
  return new Option(
    '-q, --queue <queue>',
    `${description}: link, notes, notes-<n>, summaries, push`,
  ).argParser((value: string) => {
    if (!isQueueName(value)) {
      throw new InvalidArgumentError(
        'use a queue name as `threadline status` lists it: link, notes, notes-<n>, summaries, push',
      );
    }
    return value;
  });
}

/** The queue `--queue` names (checked against NOTE_QUEUE_SHARDS), or every queue without it. */
export function selectedQueues(config: Pick<Config, 'notes'>, queue: QueueName | undefined): QueueName[] {
  const queues = allQueues(config);
  if (queue === undefined) return queues;
  if (!queues.includes(queue)) {
    throw new CliError(
      `no queue "${queue}" with NOTE_QUEUE_SHARDS=${config.notes.queueShards} (queues: ${queues.join(', ')})`,
    );
  }
  return [queue];
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

/** `--product`: the product (workspace) a command is about; default PRODUCT_ID. */
export function productOption(description = 'the product (workspace); default PRODUCT_ID'): Option {
  return new Option('-p, --product <productId>', description);
}

/**
 * The product a job is for: a link job carries it (PRODUCT_ID on jobs from before workspaces), a
 * conversation's job is its link's; null for a job of no conversation (push) or an ended link.
 */
export async function productOfJob(
  services: Pick<Services, 'config' | 'links'>,
  data: unknown,
): Promise<string | null> {
  const fields = (typeof data === 'object' && data !== null ? data : {}) as {
    notificationId?: unknown;
    productId?: unknown;
    conversationId?: unknown;
  };
  if (typeof fields.notificationId === 'string')
    return typeof fields.productId === 'string' ? fields.productId : services.config.productId;
  if (typeof fields.conversationId !== 'string' || fields.conversationId === '') return null;
  return (await services.links.get(fields.conversationId))?.productId ?? null;
}

/**
 * The product and the subject (a user id, an email) of `inspect user`, `forget user|email`: given as
 * `<productId> <subject>` as always, or `<subject>` with `--product` (default PRODUCT_ID).
 */
export function productAndSubject(
  config: Pick<Config, 'productId'>,
  first: string,
  second: string | undefined,
  product: string | undefined,
): { productId: string; subject: string } {
  if (second === undefined) return { productId: product ?? config.productId, subject: first };
  if (product !== undefined && product !== first)
    throw new CliError(`two products given: "${first}" and --product "${product}"`);
  return { productId: first, subject: second };
}
