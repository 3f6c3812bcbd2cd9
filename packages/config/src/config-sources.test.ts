import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  describeConfigSources,
  findProjectRoot,
  readConfigSources,
  startDefaultsFile,
  writeStartDefaults,
} from './config-sources.js';

let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'threadline-config-'));
  writeFileSync(join(root, 'pnpm-workspace.yaml'), 'packages: []\n');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('readConfigSources', () => {
  it('reads .env at the project root from any folder below it, the environment winning', () => {
    writeFileSync(
      join(root, '.env'),
      '# a comment\nREDIS_URL=redis://10.0.0.9:6379\nTHREADLINE_PREFIX="from-dotenv"\nCAPTURE_API_KEY=phc_dotenv\n',
    );
    const below = join(root, 'apps', 'cli');
    mkdirSync(below, { recursive: true });
    const sources = readConfigSources({ THREADLINE_PREFIX: 'from-env', PATH: '/bin' }, below);
    expect(sources.values).toMatchObject({
      REDIS_URL: 'redis://10.0.0.9:6379',
      THREADLINE_PREFIX: 'from-env',
      CAPTURE_API_KEY: 'phc_dotenv',
      PATH: '/bin',
    });
    expect(sources.origins).toEqual({
      REDIS_URL: 'dotenv',
      THREADLINE_PREFIX: 'environment',
      CAPTURE_API_KEY: 'dotenv',
    });
    expect(sources.dotenvPath).toBe(join(root, '.env'));
  });

  it('fills what neither sets from a running start command, and ignores a file its dead start command left', async () => {
    writeFileSync(join(root, '.env'), 'PORT=9000\n');
    const remove = writeStartDefaults(
      root,
      { PORT: '8080', REDIS_URL: 'redis://127.0.0.1:6390', INTERCOM_ACCESS_TOKEN: 'sandbox-token' },
      process.pid,
    );
    const sources = readConfigSources({}, root);
    expect(sources.values).toMatchObject({ PORT: '9000', REDIS_URL: 'redis://127.0.0.1:6390' });
    expect(sources.origins).toMatchObject({ PORT: 'dotenv', REDIS_URL: 'start-defaults' });
    expect(sources.startDefaults?.pid).toBe(process.pid);

    const exited = spawn(process.execPath, ['-e', '0']);
    const deadPid = exited.pid as number;
    await new Promise((resolve) => exited.once('exit', resolve));
    writeStartDefaults(root, { REDIS_URL: 'redis://127.0.0.1:6390' }, deadPid);
    expect(readConfigSources({}, root).values.REDIS_URL).toBeUndefined();
    remove();
    expect(readConfigSources({}, root).startDefaults).toBeUndefined();
  });

  it('reads no file with THREADLINE_ENV_FILE=none, and another file when it names one', () => {
    writeFileSync(join(root, '.env'), 'LOG_LEVEL=debug\n');
    writeFileSync(join(root, 'staging.env'), 'LOG_LEVEL=warn\n');
    writeStartDefaults(root, { PORT: '8080' }, process.pid);
    const none = readConfigSources({ THREADLINE_ENV_FILE: 'none' }, root);
    expect(none.values.LOG_LEVEL).toBeUndefined();
    expect(none.values.PORT).toBeUndefined();
    expect(readConfigSources({ THREADLINE_ENV_FILE: 'staging.env' }, root).values.LOG_LEVEL).toBe('warn');
  });

  it('treats an empty environment value as unset, as the schema does', () => {
    writeFileSync(join(root, '.env'), 'CAPTURE_API_KEY=phc_dotenv\n');
    expect(readConfigSources({ CAPTURE_API_KEY: '' }, root).values.CAPTURE_API_KEY).toBe('phc_dotenv');
  });

  it('a broken defaults file is no source', () => {
    mkdirSync(join(root, '.data'));
    writeFileSync(join(root, startDefaultsFile), '{not json');
    expect(readConfigSources({}, root).startDefaults).toBeUndefined();
  });
});

describe('describeConfigSources', () => {
  it('names each source and never prints a secret or a Redis password', () => {
    writeFileSync(
      join(root, '.env'),
      'INTERCOM_ACCESS_TOKEN=tok_very_secret\nINTERCOM_CLIENT_SECRET=shh\nREDIS_URL=redis://user:pa55@redis:6379\n',
    );
    const lines = describeConfigSources(readConfigSources({ LOG_LEVEL: 'debug' }, root));
    const text = lines.join('\n');
    expect(text).not.toMatch(/tok_very_secret|shh|pa55/);
    expect(lines.find((line) => line.startsWith('INTERCOM_ACCESS_TOKEN'))).toMatch(/\.env\s+\(set\)$/);
    expect(lines.find((line) => line.startsWith('REDIS_URL'))).toMatch(/redis:\/\/\*\*\*@redis:6379$/);
    expect(lines.find((line) => line.startsWith('LOG_LEVEL'))).toMatch(/environment\s+debug$/);
  });
});

describe('findProjectRoot', () => {
  it('is the folder itself when no workspace file is above it', () => {
    const lone = mkdtempSync(join(tmpdir(), 'threadline-lone-'));
    try {
      expect(findProjectRoot(lone)).toBe(lone);
    } finally {
      rmSync(lone, { recursive: true, force: true });
    }
  });
});
