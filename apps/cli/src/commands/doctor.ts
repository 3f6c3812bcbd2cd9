import { type Config, type ConfigSources, describeConfigSources, loadConfig } from '@threadline/config';
import { IntercomError } from '@threadline/core';
import { IntercomAdapter } from '@threadline/intercom';
import { type RedisClient, readRedisMemory } from '@threadline/redis-store';
import type { Command } from 'commander';
import { loadCliConfig } from '../cli-config.js';
import { type CliIo, printJson, printLines } from '../cli-io.js';
import { type CommandContext, jsonOption } from '../command-context.js';
import { openRedis } from '../connect.js';
import { safeRedisUrl } from '../format.js';
import { type Check, check } from './doctor-check.js';
import { type LiveOptions, liveChecks } from './doctor-live.js';
import { judgeQueueConsumers, readQueueConsumers } from './workers-check.js';

export type { Check, CheckStatus } from './doctor-check.js';

export interface DoctorReport {
  isHealthy: boolean;
  checks: Check[];
}

/** `INFO <section>` as a map of its `name:value` lines. */
async function info(redis: RedisClient, section: string): Promise<Map<string, string>> {
  const text = await redis.info(section);
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const separator = line.indexOf(':');
    if (separator > 0 && !line.startsWith('#'))
      fields.set(line.slice(0, separator), line.slice(separator + 1).trim());
  }
  return fields;
}

function configCheck(env: Record<string, string | undefined>): Check {
  // As the API reads it: the doctor tells whether the API would start (the Intercom check covers the worker).
  const result = loadConfig(env, 'api');
  if (!result.ok)
    return check('config', 'fail', 'the API and worker would refuse to start', result.problems, {
      fix: 'set them in .env (cp .env.example .env) or the environment; next to a running npm start, its defaults count too',
    });
  return check(
    'config',
    'ok',
    `valid (prefix "${result.config.prefix}", product "${result.config.productId}")`,
  );
}

async function evictionCheck(redis: RedisClient): Promise<Check> {
  const policy = (await info(redis, 'memory')).get('maxmemory_policy');
  if (policy === undefined) return check('eviction', 'warn', 'INFO memory does not report maxmemory_policy');
  if (policy === 'noeviction') return check('eviction', 'ok', 'maxmemory-policy is noeviction');
  return check(
    'eviction',
    'fail',
    `maxmemory-policy is ${policy}: Redis may evict queued jobs, links and cursors`,
    [],
    { fix: 'set maxmemory-policy noeviction in redis.conf (or CONFIG SET maxmemory-policy noeviction)' },
  );
}

const mebibytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** Capture stops (503) at REDIS_MEMORY_HIGH_WATER of maxmemory; without maxmemory nothing guards it. */
async function memoryCheck(redis: RedisClient, config: Config): Promise<Check> {
  const usage = await readRedisMemory(redis);
  const highWater = config.redisMemoryHighWater;
  if (usage.maxBytes === 0) {
    return check(
      'memory',
      'warn',
      `no maxmemory set (${mebibytes(usage.usedBytes)} used): capture cannot stop before Redis runs out of memory`,
      [],
      { fix: 'set maxmemory in redis.conf (for instance 75 % of the memory Redis may use)' },
    );
  }
  const share = `${(usage.ratio * 100).toFixed(1)} % of maxmemory (${mebibytes(usage.usedBytes)} of ${mebibytes(usage.maxBytes)})`;
  if (usage.ratio >= highWater) {
    return check(
      'memory',
      'fail',
      `${share}: above REDIS_MEMORY_HIGH_WATER ${highWater}, capture answers 503`,
      [
        'raise maxmemory, or shorten ACTIVITY_RETENTION_S / ACTIVITY_ANONYMOUS_RETENTION_S (docs/operations.md, "Redis full")',
      ],
    );
  }
  if (usage.ratio >= highWater * 0.8) {
    return check('memory', 'warn', `${share}: nearing REDIS_MEMORY_HIGH_WATER ${highWater}`);
  }
  return check('memory', 'ok', `${share}; capture stops at ${highWater * 100} %`);
}

async function persistenceCheck(redis: RedisClient): Promise<Check> {
  if ((await info(redis, 'persistence')).get('aof_enabled') === '1') {
    return check('persistence', 'ok', 'append-only file on (appendonly yes)');
  }
  let schedule: string;
  try {
    const answer = (await redis.config('GET', 'save')) as string[];
    schedule = (answer[1] ?? '').trim();
  } catch (error) {
    return check(
      'persistence',
      'warn',
      `appendonly is off and the RDB schedule could not be read (CONFIG GET save: ${(error as Error).message})`,
    );
  }
  if (schedule !== '') {
    return check(
      'persistence',
      'ok',
      `RDB snapshots (save ${schedule}); appendonly yes would lose less on a crash`,
    );
  }
  return check(
    'persistence',
    'warn',
    'appendonly is off and no RDB snapshots are scheduled: a Redis restart loses links, cursors and queued jobs',
    [],
    { fix: 'set appendonly yes and appendfsync everysec in redis.conf, with the data directory on a volume' },
  );
}

async function workersCheck(redis: RedisClient, config: Config): Promise<Check> {
  try {
    const finding = judgeQueueConsumers(config, await readQueueConsumers(redis, config));
    return check('workers', finding.status, finding.summary, finding.details, {
      fix: 'run the worker (npm start runs one) with the same REDIS_URL, THREADLINE_PREFIX and NOTE_QUEUE_SHARDS',
    });
  } catch (error) {
    return check('workers', 'warn', `could not be read: ${(error as Error).message}`);
  }
}

async function redisChecks(
  config: Config,
  more?: (redis: RedisClient | undefined) => Promise<Check[]>,
): Promise<Check[]> {
  const where = safeRedisUrl(config.redisUrl);
  let redis: RedisClient;
  try {
    redis = await openRedis(config);
  } catch (error) {
    const skipped = 'skipped: Redis is not reachable';
    return [
      check('redis', 'fail', (error as Error).message, [], {
        fix: 'start Redis, or point REDIS_URL at it (environment or .env; see the sources check)',
      }),
      check('eviction', 'skip', skipped),
      check('memory', 'skip', skipped),
      check('persistence', 'skip', skipped),
      check('workers', 'skip', skipped),
      ...((await more?.(undefined)) ?? []),
    ];
  }
  try {
    const version = (await info(redis, 'server')).get('redis_version') ?? 'unknown version';
    const checks = [check('redis', 'ok', `reachable at ${where} (Redis ${version})`)];
    const runs = [
      ['eviction', () => evictionCheck(redis)],
      ['memory', () => memoryCheck(redis, config)],
      ['persistence', () => persistenceCheck(redis)],
    ] as const;
    for (const [name, run] of runs) {
      checks.push(
        await run().catch((error: Error) => check(name, 'warn', `could not be read: ${error.message}`)),
      );
    }
    checks.push(await workersCheck(redis, config));
    if (more) checks.push(...(await more(redis)));
    return checks;
  } finally {
    await redis.quit().catch(() => redis.disconnect());
  }
}

async function intercomCheck(config: Config): Promise<Check> {
  const accessToken = config.intercom.accessToken;
  if (!accessToken) {
    return check(
      'intercom',
      'skip',
      'INTERCOM_ACCESS_TOKEN is not set: no token to check (the start command runs the sandbox)',
    );
  }
  // No adminId: with INTERCOM_ADMIN_ID set the adapter would skip GET /me, and the token would go unchecked.
  const adapter = new IntercomAdapter({
    accessToken,
    baseUrl: config.intercom.apiBaseUrl,
    timeoutSeconds: 10,
  });
  try {
    const adminId = await adapter.noteAuthorId();
    const configured = config.intercom.adminId;
    const author =
      configured && configured !== adminId ? `; notes are authored by INTERCOM_ADMIN_ID ${configured}` : '';
    return check(
      'intercom',
      'ok',
      `token accepted by ${config.intercom.apiBaseUrl} (GET /me: admin ${adminId})${author}`,
    );
  } catch (error) {
    const cause = error instanceof IntercomError && error.isUnanswered ? await networkCause(config) : '';
    return check(
      'intercom',
      'fail',
      `GET /me at ${config.intercom.apiBaseUrl} failed: ${(error as Error).message}${cause}`,
    );
  }
}

/**
 * The adapter reports a connection failure as "answered without a status" and drops the cause; one
 * unauthenticated request (no token) tells the person whether the host is unknown, refusing or silent.
 */
async function networkCause(config: Config): Promise<string> {
  try {
    await fetch(`${config.intercom.apiBaseUrl}/me`, { method: 'HEAD', signal: AbortSignal.timeout(5000) });
    return '';
  } catch (error) {
    const reason = (error as { cause?: { code?: string; message?: string } }).cause;
    return ` (${reason?.code ?? reason?.message ?? (error as Error).message})`;
  }
}

/** Where each setting came from (names and sources; secrets shown only as set). */
function sourcesCheck(sources: ConfigSources | undefined): Check {
  if (!sources) return check('sources', 'ok', 'environment only');
  const used = [
    'environment',
    ...(sources.dotenvPath ? [sources.dotenvPath] : []),
    ...(sources.startDefaults
      ? [
          `the running start command's defaults (${sources.startDefaults.path}, pid ${sources.startDefaults.pid})`,
        ]
      : []),
  ];
  return check('sources', 'ok', `read from ${used.join(', then ')}`, describeConfigSources(sources));
}

export interface DoctorOptions {
  /** Where each variable came from (main.ts passes it; absent: the environment alone). */
  sources?: ConfigSources | undefined;
  /** Also check the real workspace, the webhooks seen and the public URL. */
  live?: LiveOptions | undefined;
}

export async function runDoctor(
  env: Record<string, string | undefined>,
  options: DoctorOptions = {},
): Promise<DoctorReport> {
  const checks = [configCheck(env), sourcesCheck(options.sources)];
  const cliConfig = loadCliConfig(env);
  if (cliConfig.ok) {
    const config = cliConfig.config;
    const live = options.live;
    checks.push(...(await redisChecks(config, live && ((redis) => liveChecks(config, redis, live)))));
    if (!live) checks.push(await intercomCheck(config));
  } else {
    const skipped = 'skipped: fix the configuration first';
    for (const name of ['redis', 'eviction', 'memory', 'persistence', 'workers', 'intercom'] as const)
      checks.push(check(name, 'skip', skipped));
  }
  return { isHealthy: checks.every((entry) => entry.status !== 'fail'), checks };
}

export function renderDoctor(report: DoctorReport): string[] {
  const lines: string[] = [];
  for (const entry of report.checks) {
    lines.push(`${entry.status.padEnd(5)} ${entry.name.padEnd(17)} ${entry.summary}`);
    for (const detail of entry.details) lines.push(`${' '.repeat(24)}${detail}`);
    if (entry.fix && (entry.status === 'fail' || entry.status === 'warn' || entry.status === 'skip'))
      lines.push(`${' '.repeat(24)}fix: ${entry.fix}`);
  }
  const failed = report.checks.filter((entry) => entry.status === 'fail').length;
  const warned = report.checks.filter((entry) => entry.status === 'warn').length;
  lines.push('');
  lines.push(
    failed > 0
      ? `${failed} check${failed === 1 ? '' : 's'} failed${warned > 0 ? `, ${warned} warning${warned === 1 ? '' : 's'}` : ''}.`
      : warned > 0
        ? `No check failed; ${warned} warning${warned === 1 ? '' : 's'}.`
        : 'All checks passed.',
  );
  return lines;
}

function print(io: CliIo, report: DoctorReport, asJson: boolean): void {
  if (asJson) printJson(io, report);
  else printLines(io, renderDoctor(report));
}

export function registerDoctorCommand(program: Command, context: CommandContext): void {
  program
    .command('doctor')
    .description(
      'check the configuration, Redis (reachable, noeviction, memory, persistence), the workers and the Intercom token',
    )
    .option(
      '--live',
      'also check the real workspace: token and permissions, admin, webhooks seen, the public URL',
    )
    .option(
      '--conversation <id>',
      'with --live: a test conversation where one internal note is posted, then redacted (Write conversations)',
    )
    .addOption(jsonOption())
    .action(async (options: { json?: boolean; live?: boolean; conversation?: string }) => {
      const report = await runDoctor(context.io.env, {
        sources: context.io.configSources,
        live: options.live ? { conversationId: options.conversation, now: context.now() } : undefined,
      });
      print(context.io, report, options.json === true);
      if (!report.isHealthy) context.setExitCode(1);
    });
}
