import { Command, CommanderError } from 'commander';
import { loadCliConfig } from './cli-config.js';
import { CliError, type CliIo } from './cli-io.js';
import type { CommandContext } from './command-context.js';
import { registerDoctorCommand } from './commands/doctor.js';
import { registerFailedCommand } from './commands/failed.js';
import { registerForgetCommand } from './commands/forget.js';
import { registerInspectCommand } from './commands/inspect.js';
import { registerKeysCommand } from './commands/keys.js';
import { registerReplayCommand } from './commands/replay.js';
import { registerResumeCommand } from './commands/resume.js';
import { registerStatusCommand } from './commands/status.js';
import { registerSubscriptionsCommand } from './commands/subscriptions.js';
import { registerWorkspacesCommand } from './commands/workspaces.js';
import { connect, type Services } from './connect.js';

export interface RunOptions {
  now?: () => Date;
}

function buildProgram(context: CommandContext): Command {
  const program = new Command('threadline')
    .description(
      'Operate Threadline: queues, failed jobs, replays, what is stored for a user or conversation',
    )
    .showHelpAfterError('(run threadline --help for usage)')
    .configureOutput({
      writeOut: (text) => context.io.stdout.write(text),
      writeErr: (text) => context.io.stderr.write(text),
    })
    // Commander would call process.exit; runCli returns the code instead (subcommands inherit this).
    .exitOverride();
  registerStatusCommand(program, context);
  registerFailedCommand(program, context);
  registerReplayCommand(program, context);
  registerInspectCommand(program, context);
  registerDoctorCommand(program, context);
  registerKeysCommand(program, context);
  registerForgetCommand(program, context);
  registerResumeCommand(program, context);
  registerSubscriptionsCommand(program, context);
  registerWorkspacesCommand(program, context);
  return program;
}

/**
 * Runs one CLI invocation and resolves to the process's exit code. Never touches `process`: main.ts
 * passes argv (without node and the script), the environment and the output streams.
 */
export async function runCli(argv: string[], io: CliIo, options: RunOptions = {}): Promise<number> {
  let exitCode = 0;
  let opened: Promise<Services> | undefined;
  const context: CommandContext = {
    io,
    now: options.now ?? (() => new Date()),
    services() {
      opened ??= (async () => {
        const result = loadCliConfig(io.env);
        if (!result.ok) throw new CliError('invalid configuration', result.problems);
        return connect(result.config);
      })();
      return opened;
    },
    setExitCode(code) {
      exitCode = code;
    },
  };
  const program = buildProgram(context);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    // Commander has already printed its usage error or help text.
    if (error instanceof CommanderError) return error.exitCode;
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`threadline: ${message}\n`);
    if (error instanceof CliError) for (const detail of error.details) io.stderr.write(`  ${detail}\n`);
    return 1;
  } finally {
    if (opened) await opened.then((services) => services.close()).catch(() => undefined);
  }
}
