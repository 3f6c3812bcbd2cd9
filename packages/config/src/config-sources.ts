import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { configSchema } from './config-schema.js';

/** Where a variable's value came from, in the order they are read: the first that has it wins. */
export type ConfigSourceKind = 'environment' | 'dotenv' | 'start-defaults';

/** The merged variables every process reads, and where each came from. */
export interface ConfigSources {
  /** The environment with `.env` and the start command's defaults filled in where it has no value. */
  values: Record<string, string | undefined>;
  /** For each variable of the schema that has a value: its source. */
  origins: Record<string, ConfigSourceKind>;
  /** The `.env` file read, when there was one. */
  dotenvPath: string | undefined;
  /** The start command's defaults file, when a running start command wrote it. */
  startDefaults: { path: string; pid: number; startedAt: string } | undefined;
}

/** The start command's defaults, relative to the project root. */
export const startDefaultsFile = join('.data', 'start-defaults.json');

interface StartDefaults {
  pid: number;
  startedAt: string;
  values: Record<string, string>;
}

/** The nearest folder at or above `start` that holds `pnpm-workspace.yaml` (the checkout), or `start`. */
export function findProjectRoot(start: string): string {
  let folder = resolve(start);
  for (;;) {
    if (existsSync(join(folder, 'pnpm-workspace.yaml'))) return folder;
    const parent = dirname(folder);
    if (parent === folder) return resolve(start);
    folder = parent;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readStartDefaults(path: string): StartDefaults | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<StartDefaults>;
    if (typeof parsed.pid !== 'number' || typeof parsed.values !== 'object' || parsed.values === null)
      return undefined;
    // A file left by a start command that is no longer running describes no stack.
    if (!isRunning(parsed.pid)) return undefined;
    return { pid: parsed.pid, startedAt: String(parsed.startedAt ?? ''), values: parsed.values };
  } catch {
    return undefined;
  }
}

const schemaVariables = new Set(Object.keys(configSchema.shape));

/**
 * Reads the configuration the way every process does (API, worker, CLI, start command): the
 * environment, then `.env` at the project root, then — while a start command runs — the local
 * defaults it chose (`.data/start-defaults.json`). `THREADLINE_ENV_FILE` names another file instead of
 * `.env`; `THREADLINE_ENV_FILE=none` reads neither file (tests and containers that want the environment
 * alone).
 */
export function readConfigSources(env: Record<string, string | undefined>, cwd: string): ConfigSources {
  const choice = env.THREADLINE_ENV_FILE?.trim();
  const root = findProjectRoot(cwd);
  const values: Record<string, string | undefined> = { ...env };
  const origins: Record<string, ConfigSourceKind> = {};
  const fill = (entries: Record<string, string>, kind: ConfigSourceKind) => {
    for (const [name, value] of Object.entries(entries)) {
      if (values[name] !== undefined && values[name] !== '') continue;
      values[name] = value;
      if (schemaVariables.has(name)) origins[name] = kind;
    }
  };
  for (const [name, value] of Object.entries(env)) {
    if (schemaVariables.has(name) && value !== undefined && value !== '') origins[name] = 'environment';
  }
  if (choice === 'none') return { values, origins, dotenvPath: undefined, startDefaults: undefined };

  const dotenvPath = resolve(root, choice || '.env');
  const hasDotenv = existsSync(dotenvPath);
  if (hasDotenv) fill(parseEnv(readFileSync(dotenvPath, 'utf8')) as Record<string, string>, 'dotenv');
  const defaultsPath = join(root, startDefaultsFile);
  const defaults = readStartDefaults(defaultsPath);
  if (defaults) fill(defaults.values, 'start-defaults');
  return {
    values,
    origins,
    dotenvPath: hasDotenv ? dotenvPath : undefined,
    startDefaults: defaults && { path: defaultsPath, pid: defaults.pid, startedAt: defaults.startedAt },
  };
}

/**
 * Written by the start command once it has chosen its local defaults (a Redis it started, the sandbox's
 * token and URL, the ports), so that the CLI and any process started by hand look at the same stack.
 * Returns a function that removes the file again.
 */
export function writeStartDefaults(cwd: string, values: Record<string, string>, pid: number): () => void {
  const path = join(findProjectRoot(cwd), startDefaultsFile);
  mkdirSync(dirname(path), { recursive: true });
  const content: StartDefaults = { pid, startedAt: new Date().toISOString(), values };
  writeFileSync(path, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  return () => rmSync(path, { force: true });
}

const secretName = /TOKEN|SECRET|KEY|PASSWORD/;

/** One line per variable that has a value: `NAME  source  value` (secrets as `(set)`, Redis passwords hidden). */
export function describeConfigSources(sources: ConfigSources): string[] {
  const label: Record<ConfigSourceKind, string> = {
    environment: 'environment',
    dotenv: sources.dotenvPath ? basename(sources.dotenvPath) : '.env',
    'start-defaults': sources.startDefaults
      ? `start command (pid ${sources.startDefaults.pid})`
      : 'start command',
  };
  return Object.keys(sources.origins)
    .sort()
    .map((name) => {
      const kind = sources.origins[name] as ConfigSourceKind;
      const raw = sources.values[name] ?? '';
      const shown = secretName.test(name) ? '(set)' : name === 'REDIS_URL' ? hideRedisPassword(raw) : raw;
      return `${name.padEnd(28)} ${label[kind].padEnd(24)} ${shown}`;
    });
}

function hideRedisPassword(url: string): string {
  return url.replace(/\/\/([^@/]*)@/g, '//***@');
}
