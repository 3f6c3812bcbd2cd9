import { type ErasureReport, eraseUser } from '@threadline/redis-store';
import type { Command } from 'commander';
import { printJson, printLines } from '../cli-io.js';
import { type CommandContext, jsonOption } from '../command-context.js';

export function renderErasure(productId: string, userId: string, report: ErasureReport): string[] {
  if (report.keys.length === 0) return [`Nothing stored for user ${userId} of product ${productId}.`];
  return [
    `Erased user ${userId} of product ${productId}:`,
    `  ${report.actions} actions`,
    `  ${report.conversations.length} conversation links with their delivery state${
      report.conversations.length > 0 ? ` (${report.conversations.join(', ')})` : ''
    }`,
    `  ${report.anonymousIds} anonymous ids merged into the user`,
    `  ${report.emailFingerprints} email fingerprints`,
    `  ${report.keys.length} Redis keys deleted`,
    'Notes already written in Intercom stay there: erase them in Intercom if the request covers them.',
  ];
}

export function registerForgetCommand(program: Command, context: CommandContext): void {
  program
    .command('forget')
    .description('erase what Threadline holds about someone (for erasure requests)')
    .command('user')
    .description(
      'delete every trace of a user: actions, conversation links, merged anonymous ids, email fingerprints',
    )
    .argument('<productId>', 'the product the user belongs to')
    .argument('<userId>', "the product's user id (the Intercom contact's external_id)")
    .addOption(jsonOption())
    .action(async (productId: string, userId: string, options: { json?: boolean }) => {
      const services = await context.services();
      const report = await eraseUser(services.redis, services.keys, productId, userId);
      if (options.json) printJson(context.io, { productId, userId, ...report });
      else printLines(context.io, renderErasure(productId, userId, report));
    });
}
