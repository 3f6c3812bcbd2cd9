import {
  type ConversationLink,
  type DeliveryState,
  newestByEventTime,
  recentReadWindow,
  type StoredAction,
  type WrittenNote,
} from '@threadline/core';
import type { Command } from 'commander';
import { CliError, printJson, printLines } from '../cli-io.js';
import {
  type CommandContext,
  jsonOption,
  positiveInteger,
  productAndSubject,
  productOption,
} from '../command-context.js';
import type { Services } from '../connect.js';
import { oneLine, renderTable } from '../format.js';
import { readUnlinked } from './status.js';

export interface UserReport {
  productId: string;
  userId: string;
  /** Oldest first by event time, the newest `limit` kept. */
  actions: StoredAction[];
  /** The user's open conversations (the per-user index drops a conversation when it closes). */
  conversations: { conversationId: string; status: ConversationLink['status'] | 'missing' }[];
}

export interface ConversationReport {
  link: ConversationLink & { closedReason: string | null };
  delivery: DeliveryState;
  notes: WrittenNote[];
}

/** How far back `inspect conversation` looks in the unlinked stream to explain a missing link. */
const unlinkedSearchDepth = 1000;

export async function inspectUser(
  services: Services,
  productId: string,
  userId: string,
  limit: number,
): Promise<UserReport> {
  const user = { productId, userId };
  // The newest by event time, as the MCP tool answers (ids show the arrival order).
  const actions = newestByEventTime(await services.activity.listRecent(user, recentReadWindow(limit)), limit);
  const ids = (await services.links.conversationsOf(user)).sort();
  const conversations = await Promise.all(
    ids.map(async (conversationId) => ({
      conversationId,
      status: (await services.links.get(conversationId))?.status ?? ('missing' as const),
    })),
  );
  return { productId, userId, actions, conversations };
}

export async function inspectConversation(
  services: Services,
  conversationId: string,
): Promise<ConversationReport> {
  const link = await services.links.get(conversationId);
  if (!link) {
    const lifecycle = await services.links.lifecycle(conversationId);
    if (lifecycle?.state === 'ended') {
      const reason = await services.redis.hget(services.keys.lifecycle(conversationId), 'reason');
      const at = new Date(lifecycle.at * 1000).toISOString();
      throw new CliError(
        `conversation "${conversationId}" ended at ${at}${reason ? `: ${oneLine(reason)}` : ''}; its link and keys are gone`,
      );
    }
    const unlinked = (await readUnlinked(services, unlinkedSearchDepth)).find(
      (entry) => entry.conversationId === conversationId,
    );
    const why = unlinked ? `; it could not be linked at ${unlinked.at}: ${oneLine(unlinked.reason)}` : '';
    throw new CliError(
      `conversation "${conversationId}" is not linked to any user (prefix "${services.config.prefix}")${why}`,
    );
  }
  // RedisLinkStore.get leaves out why a conversation was closed; it sits in the same hash.
  const closedReason = await services.redis.hget(services.keys.link(conversationId), 'closedReason');
  return {
    link: { ...link, closedReason: closedReason || null },
    delivery: await services.delivery.state(conversationId),
    notes: await services.delivery.notes(conversationId),
  };
}

export function renderUser(report: UserReport): string[] {
  const lines = [`User ${report.userId} of product ${report.productId}`, ''];
  if (report.actions.length === 0) lines.push('No recent actions.');
  else {
    lines.push(`Recent actions (${report.actions.length}, oldest first)`);
    lines.push(
      ...renderTable(
        ['time', 'type', 'description', 'page'],
        report.actions.map((action) => [
          action.at,
          action.type,
          oneLine(action.description) + (action.repeat && action.repeat > 1 ? ` (×${action.repeat})` : ''),
          action.page ?? '',
        ]),
      ),
    );
  }
  lines.push('');
  if (report.conversations.length === 0) lines.push('No linked open conversations.');
  else {
    lines.push(`Linked conversations (${report.conversations.length})`);
    lines.push(
      ...renderTable(
        ['conversation', 'status'],
        report.conversations.map((c) => [c.conversationId, c.status]),
      ),
    );
  }
  return lines;
}

export function renderConversation(report: ConversationReport): string[] {
  const { link, delivery, notes } = report;
  const pending = delivery.pending;
  const lines = [
    `Conversation ${link.conversationId}`,
    `  user         ${link.userId} (product ${link.productId})`,
    `  session      ${link.sessionId ?? '-'}`,
    `  linked at    ${link.linkedAt}`,
    `  status       ${link.status}${link.closedReason ? ` (${link.closedReason})` : ''}`,
    '',
    'Delivery',
    `  cursor       ${delivery.cursor ?? '- (no action written yet)'}`,
    `  next number  ${delivery.nextNumber}`,
    `  pending      ${pending ? `note ${pending.reference}, actions [${pending.firstNumber}]–[${pending.lastNumber}] (posted or not: checked on the next delivery)` : 'none'}`,
    '',
  ];
  if (notes.length === 0) lines.push('No notes written yet.');
  else {
    lines.push(`Notes written (${notes.length}, oldest first)`);
    lines.push(
      ...renderTable(
        ['part', 'actions', 'posted at', 'reference'],
        notes.map((note) => [
          note.partId,
          `[${note.firstNumber}]–[${note.lastNumber}]`,
          note.postedAt,
          note.reference,
        ]),
      ),
    );
  }
  return lines;
}

interface InspectUserOptions {
  product?: string;
  limit: number;
  json?: boolean;
}

export function registerInspectCommand(program: Command, context: CommandContext): void {
  const inspect = program
    .command('inspect')
    .description('what Threadline holds for a user or a conversation');
  inspect
    .command('user')
    .description("a user's recent actions and linked conversations")
    .argument(
      '<productIdOrUserId>',
      'the product the user belongs to, then the user (or the user alone with --product)',
    )
    .argument('[userId]', "the product's user id (the Intercom contact's external_id)")
    .addOption(productOption())
    .option('-n, --limit <n>', 'most recent actions to show', positiveInteger(10_000), 20)
    .addOption(jsonOption())
    .action(async (first: string, second: string | undefined, options: InspectUserOptions) => {
      const services = await context.services();
      const { productId, subject } = productAndSubject(services.config, first, second, options.product);
      const report = await inspectUser(services, productId, subject, options.limit);
      if (options.json) printJson(context.io, report);
      else printLines(context.io, renderUser(report));
    });
  inspect
    .command('conversation')
    .description("a conversation's link, delivery state and the notes written to it")
    .argument('<conversationId>', 'the Intercom conversation id')
    .addOption(jsonOption())
    .action(async (conversationId: string, options: { json?: boolean }) => {
      const report = await inspectConversation(await context.services(), conversationId);
      if (options.json) printJson(context.io, report);
      else printLines(context.io, renderConversation(report));
    });
}
