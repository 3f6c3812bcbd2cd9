import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configSchema } from './config-schema.js';
import { loadConfig } from './load-config.js';

const minimal = { CAPTURE_API_KEY: 'phc_test' };

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const result = loadConfig(minimal);
    if (!result.ok) throw new Error(result.problems.join('\n'));
    expect(result.config).toMatchObject({
      host: '0.0.0.0',
      port: 8080,
      redisUrl: 'redis://127.0.0.1:6379',
      prefix: 'threadline',
      productId: 'default',
      notes: { coalesceMs: 2000, maxWaitMs: undefined, maxActions: 25, prechatActions: 30, queueShards: 1 },
      activity: { retentionSeconds: 86400, maxActions: 200 },
      summaries: { afterNotes: 8, openaiApiKey: undefined },
      intercom: {
        apiBaseUrl: 'https://api.intercom.io',
        timeoutMs: 10_000,
        linkByEmail: false,
        linkIdleDays: 14,
      },
      worker: { concurrency: 8, lockMs: 30_000, stalledCheckMs: 30_000 },
      mcpKeys: [],
    });
  });

  it('takes SUMMARIZE_AFTER_NOTES=0 (summaries off) and LINK_IDLE_DAYS from 1', () => {
    const result = loadConfig({ ...minimal, SUMMARIZE_AFTER_NOTES: '0', LINK_IDLE_DAYS: '1' });
    if (!result.ok) throw new Error(result.problems.join('\n'));
    expect(result.config.summaries.afterNotes).toBe(0);
    expect(result.config.intercom.linkIdleDays).toBe(1);
    expect(loadConfig({ ...minimal, LINK_IDLE_DAYS: '0' }).ok).toBe(false);
  });

  it('reports one line per problem, naming the variable', () => {
    const result = loadConfig({ PORT: 'eighty', INTERCOM_ACCESS_TOKEN: 'tok', NOTE_MAX_ACTIONS: '0' }, 'api');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^CAPTURE_API_KEY: required/),
        'PORT: must be a whole number',
        'NOTE_MAX_ACTIONS: must be at least 1',
        expect.stringMatching(/^INTERCOM_CLIENT_SECRET: required when INTERCOM_ACCESS_TOKEN is set/),
      ]),
    );
  });

  it('requires of each process only what it uses', () => {
    expect(loadConfig({}, 'cli').ok).toBe(true);
    const api = loadConfig({}, 'api');
    expect(!api.ok && api.problems).toEqual([expect.stringMatching(/^CAPTURE_API_KEY: required/)]);
    const worker = loadConfig({}, 'worker');
    expect(!worker.ok && worker.problems).toEqual([
      expect.stringMatching(/^INTERCOM_ACCESS_TOKEN: required by the worker/),
    ]);
  });

  it('parses MCP keys bound to products and rejects malformed entries', () => {
    const ok = loadConfig({
      ...minimal,
      MCP_API_KEYS: 'mcp_aaaaaaaaaaaaaaaa:shop, mcp_bbbbbbbbbbbbbbbb:crm',
    });
    expect(ok.ok && ok.config.mcpKeys).toEqual([
      { key: 'mcp_aaaaaaaaaaaaaaaa', productId: 'shop' },
      { key: 'mcp_bbbbbbbbbbbbbbbb', productId: 'crm' },
    ]);
    const bad = loadConfig({ ...minimal, MCP_API_KEYS: 'no-product-here' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.problems[0]).toMatch(/^MCP_API_KEYS: /);
  });

  it('refuses prefixes that would break Redis Cluster hash tags', () => {
    const result = loadConfig({ ...minimal, THREADLINE_PREFIX: '{bad}' });
    expect(result.ok).toBe(false);
  });

  it('accepts cluster node lists', () => {
    const result = loadConfig({ ...minimal, REDIS_URL: '10.0.0.1:7000,10.0.0.2:7000' });
    expect(result.ok).toBe(true);
  });

  it('takes NOTE_QUEUE_SHARDS from 1 to 64', () => {
    const sharded = loadConfig({ ...minimal, NOTE_QUEUE_SHARDS: '4' });
    expect(sharded.ok && sharded.config.notes.queueShards).toBe(4);
    const none = loadConfig({ ...minimal, NOTE_QUEUE_SHARDS: '0' });
    expect(!none.ok && none.problems).toEqual(['NOTE_QUEUE_SHARDS: must be at least 1']);
  });

  it('treats empty variables as unset', () => {
    const result = loadConfig({ ...minimal, INTERCOM_ACCESS_TOKEN: '', OPENAI_API_KEY: '  ' });
    expect(result.ok && result.config.intercom.accessToken).toBeUndefined();
  });

  it('.env.example lists exactly the variables of the schema', () => {
    const example = readFileSync(fileURLToPath(new URL('../../../.env.example', import.meta.url)), 'utf8');
    const listed = new Set([...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((match) => match[1]));
    expect([...listed].sort()).toEqual(Object.keys(configSchema.shape).sort());
  });
});

describe('loadConfig: capture identity', () => {
  it('checks nothing by default, and requires verified identity once the secret is set', () => {
    const plain = loadConfig(minimal);
    expect(plain.ok && plain.config.capture).toMatchObject({ identity: 'off', identitySecret: undefined });
    const withSecret = loadConfig({ ...minimal, INTERCOM_IDENTITY_SECRET: 'messenger-secret' });
    expect(withSecret.ok && withSecret.config.capture).toMatchObject({
      identity: 'require',
      identitySecret: 'messenger-secret',
    });
    const marking = loadConfig({ ...minimal, INTERCOM_IDENTITY_SECRET: 's', CAPTURE_IDENTITY: 'mark' });
    expect(marking.ok && marking.config.capture.identity).toBe('mark');
  });

  it('refuses a mode that cannot check anything, an unknown mode and a weak server key', () => {
    const result = loadConfig({
      ...minimal,
      CAPTURE_IDENTITY: 'require',
      CAPTURE_SERVER_KEY: 'short',
    });
    expect(!result.ok && result.problems).toEqual([
      expect.stringMatching(/^CAPTURE_IDENTITY: require needs INTERCOM_IDENTITY_SECRET/),
      'CAPTURE_SERVER_KEY: must be at least 16 characters',
    ]);
    const unknown = loadConfig({ ...minimal, CAPTURE_IDENTITY: 'strict' });
    expect(!unknown.ok && unknown.problems).toEqual(['CAPTURE_IDENTITY: must be off, mark or require']);
    const same = loadConfig({
      CAPTURE_API_KEY: 'phc_same_key_for_both',
      CAPTURE_SERVER_KEY: 'phc_same_key_for_both',
    });
    expect(!same.ok && same.problems).toEqual([expect.stringMatching(/^CAPTURE_SERVER_KEY: must differ/)]);
  });

  it('reads the server key', () => {
    const result = loadConfig({ ...minimal, CAPTURE_SERVER_KEY: 'server_key_0123456789' });
    expect(result.ok && result.config.capture.serverKey).toBe('server_key_0123456789');
  });
});
