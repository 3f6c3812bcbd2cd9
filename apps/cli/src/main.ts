#!/usr/bin/env -S npx tsx
import { readConfigSources } from '@threadline/config';
import { runCli } from './run-cli.js';

// The only file that touches the process: argv, environment, streams and the exit code. The
// configuration is read as the API and the worker read it: the environment, then .env, then a running
// start command's defaults.
const sources = readConfigSources(process.env, process.cwd());
const exitCode = await runCli(process.argv.slice(2), {
  env: sources.values,
  configSources: sources,
  stdout: process.stdout,
  stderr: process.stderr,
});
// Writes to pipes and files are synchronous on Linux, so nothing printed is lost by exiting here; an
// explicit exit also ends keep-alive sockets an SDK may hold open.
process.exit(exitCode);
