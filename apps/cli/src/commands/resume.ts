import type { Command } from 'commander';
import { printJson, printLines } from '../cli-io.js';
import { type CommandContext, jsonOption, productOption } from '../command-context.js';

export function registerResumeCommand(program: Command, context: CommandContext): void {
  program
    .command('resume')
    .description('resume note sending after an Intercom 401/403 paused it (fix the token first)')
    .addOption(productOption())
    .addOption(jsonOption())
    .action(async (options: { product?: string; json?: boolean }) => {
      const services = await context.services();
      const gate = services.sendGateFor(options.product ?? services.config.productId);
      const pause = await gate.paused();
      await gate.resume();
      if (options.json) printJson(context.io, { wasPaused: pause !== null, pause });
      else if (pause) {
        printLines(context.io, [
          `Note sending resumed (it was paused since ${pause.at}: ${pause.message}).`,
          'If the token is still refused, the first call pauses it again.',
        ]);
      } else printLines(context.io, ['Note sending was not paused; the notes queue is running.']);
    });
}
