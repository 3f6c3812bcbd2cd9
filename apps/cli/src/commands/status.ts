import type { SendPause, SpoolBacklog, Workspace } from '@threadline/core';
import type { QueueName } from '@threadline/jobs';
import { RedisCaptureSpool } from '@threadline/redis-store';
import type { Command } from 'commander';
import { type CliIo, printJson, printLines } from '../cli-io.js';
import { allQueues, type CommandContext, jsonOption, productOption } from '../command-context.js';
import type { Services } from '../connect.js';
import { formatDuration, oneLine, renderTable } from '../format.js';

export interface QueueStatus {
  queue: QueueName;
  isPaused: boolean;
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  completed: number;
  /** How long the oldest waiting job has been waiting (null: none waiting). */
  oldestWaitingMs: number | null;
  oldestWaitingJobId: string | null;
}

export interface UnlinkedEntry {
  streamId: string;
  conversationId: string;
  reason: string;
  at: string;
}

export interface StatusReport {
  prefix: string;
  /** The product (workspace) the report is about (`--product`, default PRODUCT_ID). */
  productId: string;
  /** Where that workspace comes from (null: no workspace serves the product). */
  source: Workspace['source'] | null;
  /** Set when an Intercom 401/403 stopped that workspace's note sending (resume with `threadline resume`). */
  sendingPaused: SendPause | null;
  /** The other workspaces whose sending is paused (each needs its own resume, or a reinstall). */
  otherPaused: { productId: string; source: Workspace['source']; pause: SendPause }[];
  queues: QueueStatus[];
  unlinked: { count: number; newest: UnlinkedEntry[] };
  /** The passthrough's copies not yet recorded by a worker (docs/operations.md, "The capture spool"). */
  captureSpool: SpoolBacklog;
}

async function queueStatus(services: Services, queue: QueueName, now: Date): Promise<QueueStatus> {
  const bullQueue = services.queue(queue);
  const counts = await bullQueue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed');
  // Ascending order puts the job that entered the wait list first at index 0.
  const [oldest] = await bullQueue.getJobs(['waiting'], 0, 0, true);
  // A delayed job only starts waiting once its delay is over.
  const waitingSince = oldest ? oldest.timestamp + (oldest.delay ?? 0) : null;
  return {
    queue,
    isPaused: await bullQueue.isPaused(),
    // Jobs of a paused queue wait in BullMQ's paused list: still waiting, as far as an operator cares.
    waiting: (counts.waiting ?? 0) + (counts.paused ?? 0),
    active: counts.active ?? 0,
    delayed: counts.delayed ?? 0,
    failed: counts.failed ?? 0,
    completed: counts.completed ?? 0,
    oldestWaitingMs: waitingSince === null ? null : Math.max(0, now.getTime() - waitingSince),
    oldestWaitingJobId: oldest?.id ?? null,
  };
}

/** Newest first, from the stream the link worker appends to when a conversation cannot be linked. */
export async function readUnlinked(services: Services, count: number): Promise<UnlinkedEntry[]> {
  const entries = (await services.redis.xrevrange(services.keys.unlinked(), '+', '-', 'COUNT', count)) as [
    string,
    string[],
  ][];
  return entries.map(([streamId, fields]) => {
    const map = new Map<string, string>();
    for (let index = 0; index + 1 < fields.length; index += 2) map.set(fields[index]!, fields[index + 1]!);
    return {
      streamId,
      conversationId: map.get('conversationId') ?? '',
      reason: map.get('reason') ?? '',
      at: map.get('at') ?? '',
    };
  });
}

export async function gatherStatus(
  services: Services,
  now: Date,
  productId: string = services.config.productId,
): Promise<StatusReport> {
  const queues = await Promise.all(
    allQueues(services.config).map((queue) => queueStatus(services, queue, now)),
  );
  const count = await services.redis.xlen(services.keys.unlinked());
  const otherPaused: StatusReport['otherPaused'] = [];
  for (const workspace of await services.workspaces.list()) {
    if (workspace.productId === productId) continue;
    const pause = await services.sendGateFor(workspace.productId).paused();
    if (pause) otherPaused.push({ productId: workspace.productId, source: workspace.source, pause });
  }
  return {
    prefix: services.config.prefix,
    productId,
    source: (await services.workspaces.byProduct(productId))?.source ?? null,
    sendingPaused: await services.sendGateFor(productId).paused(),
    otherPaused,
    queues,
    unlinked: { count, newest: await readUnlinked(services, 5) },
    captureSpool: await new RedisCaptureSpool(services.redis, services.keys).backlog(),
  };
}

export function renderStatus(report: StatusReport): string[] {
  const rows = report.queues.map((queue) => [
    queue.isPaused ? `${queue.queue} (paused)` : queue.queue,
    String(queue.waiting),
    String(queue.active),
    String(queue.delayed),
    String(queue.failed),
    String(queue.completed),
    queue.oldestWaitingMs === null ? '-' : formatDuration(queue.oldestWaitingMs),
  ]);
  const paused = report.sendingPaused;
  const lines = [
    ...(report.source === null ? [`No workspace serves product ${report.productId}.`, ''] : []),
    ...(paused
      ? [
          `Note sending of product ${report.productId} is PAUSED since ${paused.at}: ${oneLine(paused.message)} (${paused.code}).`,
          fixOf(report.productId, report.source, paused),
          '',
        ]
      : []),
    ...report.otherPaused.flatMap((other) => [
      `Note sending of product ${other.productId} is PAUSED since ${other.pause.at} (${other.pause.code}).`,
      fixOf(other.productId, other.source, other.pause),
    ]),
    ...(report.otherPaused.length > 0 ? [''] : []),
    `Queues (prefix "${report.prefix}")`,
    ...renderTable(
      ['queue', 'waiting', 'active', 'delayed', 'failed', 'completed', 'oldest waiting'],
      rows,
      [1, 2, 3, 4, 5],
    ),
    '',
    `Capture spool (passthrough copies to record): ${report.captureSpool.waiting} waiting, ${report.captureSpool.inFlight} being recorded`,
    '',
    `Conversations that could not be linked: ${report.unlinked.count}`,
  ];
  if (report.unlinked.newest.length > 0) {
    lines.push(
      ...renderTable(
        ['at', 'conversation', 'reason'],
        report.unlinked.newest.map((entry) => [
          entry.at,
          oneLine(entry.conversationId, 60),
          oneLine(entry.reason),
        ]),
      ),
    );
  }
  return lines;
}

/** What to do about a pause: a revoked install is reinstalled, the environment's token replaced. */
function fixOf(productId: string, source: Workspace['source'] | null, pause: SendPause): string {
  const resume = `\`threadline resume --product ${productId}\``;
  if (source === 'oauth' && pause.code === 'unauthorized')
    return `Intercom refused the workspace's token (the app was uninstalled?): reinstall it (/oauth/intercom/install), then run ${resume}.`;
  if (source === 'oauth')
    return `Grant the app's permissions in Intercom or reinstall it, then run ${resume}.`;
  if (pause.code === 'unauthorized')
    return `Intercom refused INTERCOM_ACCESS_TOKEN (revoked, or the app uninstalled?): reinstall or replace it, then run ${resume}.`;
  return `Fix the Intercom token, then run ${resume}.`;
}

function print(io: CliIo, report: StatusReport, asJson: boolean): void {
  if (asJson) printJson(io, report);
  else printLines(io, renderStatus(report));
}

export function registerStatusCommand(program: Command, context: CommandContext): void {
  program
    .command('status')
    .description('queue counts, the oldest waiting job, and conversations that could not be linked')
    .addOption(productOption())
    .addOption(jsonOption())
    .action(async (options: { product?: string; json?: boolean }) => {
      const services = await context.services();
      print(context.io, await gatherStatus(services, context.now(), options.product), options.json === true);
    });
}
