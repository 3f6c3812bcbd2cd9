#!/usr/bin/env -S npx tsx
import { runCli } from './run-cli.js';

// The only file that touches the process: argv, environment, streams and the exit code.
const exitCode = await runCli(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
});
// Writes to pipes and files are synchronous on Linux, so nothing printed is lost by exiting here; an
// explicit exit also ends keep-alive sockets an SDK may hold open.
process.exit(exitCode);
