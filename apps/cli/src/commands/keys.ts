import { type AccessKeyRecord, environmentAccessKeys, issueAccessKey } from '@threadline/core';
import { RedisAccessKeyStore } from '@threadline/redis-store';
import type { Command } from 'commander';
import { CliError, printJson, printLines } from '../cli-io.js';
import { type CommandContext, jsonOption, productOption } from '../command-context.js';
import type { Services } from '../connect.js';
import { oneLine, renderTable } from '../format.js';

/** A key as `keys list` shows it: never the key, nor its hash. */
export interface KeyListing {
  id: string;
  productId: string;
  name: string | null;
  source: 'cli' | 'env';
  createdAt: string | null;
  lastUsedAt: string | null;
}

export interface CreatedKey {
  id: string;
  productId: string;
  name: string | null;
  createdAt: string;
  /** Printed once, here; only its SHA-256 is stored. */
  key: string;
}

const productIdPattern = /^[A-Za-z0-9._-]{1,64}$/;

function storeOf(services: Services): RedisAccessKeyStore {
  return new RedisAccessKeyStore(services.redis, services.keys);
}

export async function createKey(
  services: Services,
  productId: string,
  name: string | null,
  now: () => Date,
): Promise<CreatedKey> {
  if (!productIdPattern.test(productId)) {
    throw new CliError(
      `product id "${oneLine(productId, 80)}" is not valid: use 1–64 letters, digits, ., - or _`,
    );
  }
  const { record, key } = await issueAccessKey(productId, name, { keys: storeOf(services), now });
  return { id: record.id, productId, name, createdAt: record.createdAt, key };
}

export async function listKeys(services: Services, productId?: string): Promise<KeyListing[]> {
  const store = storeOf(services);
  const [stored, lastUses, idSecret] = await Promise.all([
    store.list(),
    store.lastUses(),
    store.keyIdSecret(),
  ]);
  const fromCli = stored.map(
    (record: AccessKeyRecord): KeyListing => ({
      id: record.id,
      productId: record.productId,
      name: record.name,
      source: 'cli',
      createdAt: record.createdAt,
      lastUsedAt: lastUses[record.id] ?? null,
    }),
  );
  const fromEnvironment = environmentAccessKeys(services.config.mcpKeys, idSecret).map(
    (key): KeyListing => ({
      id: key.id,
      productId: key.productId,
      name: 'MCP_API_KEYS',
      source: 'env',
      createdAt: null,
      lastUsedAt: lastUses[key.id] ?? null,
    }),
  );
  return [...fromEnvironment, ...fromCli].filter(
    (key) => productId === undefined || key.productId === productId,
  );
}

export async function revokeKey(services: Services, id: string): Promise<AccessKeyRecord> {
  const store = storeOf(services);
  const environmentKeys = environmentAccessKeys(services.config.mcpKeys, await store.keyIdSecret());
  if (environmentKeys.some((key) => key.id === id)) {
    throw new CliError(`key ${id} comes from MCP_API_KEYS: remove it there and restart the API to revoke it`);
  }
  const record = await store.get(id);
  if (!record || !(await store.revoke(id))) {
    throw new CliError(
      `no key "${oneLine(id, 80)}" (prefix "${services.config.prefix}"); see threadline keys list`,
    );
  }
  return record;
}

export function renderCreated(created: CreatedKey): string[] {
  return [
    `Created key ${created.id} for product ${created.productId}${created.name ? ` (${created.name})` : ''}.`,
    '',
    `  ${created.key}`,
    '',
    'Copy it now: it is shown only this once (Threadline keeps only its SHA-256).',
    'Clients send it as "Authorization: Bearer <key>" to /mcp and /v1/users/…/activity.',
  ];
}

export function renderKeys(keys: KeyListing[]): string[] {
  if (keys.length === 0) return ['No access keys. Make one with: threadline keys create <product_id>'];
  return renderTable(
    ['id', 'product', 'name', 'created', 'last used'],
    keys.map((key) => [
      key.id,
      key.productId,
      oneLine(key.name ?? '-', 60),
      key.createdAt ?? '(environment)',
      key.lastUsedAt ?? 'never',
    ]),
  );
}

export function registerKeysCommand(program: Command, context: CommandContext): void {
  const keys = program
    .command('keys')
    .description('access keys for /mcp (Fin) and the activity API, each bound to one product');
  keys
    .command('create')
    .description('make a key for one product and print it once')
    .argument('[productId]', 'the product the key may read (or --product; default PRODUCT_ID)')
    .addOption(productOption())
    .option('--name <name>', 'what the key is for, e.g. "fin"')
    .addOption(jsonOption())
    .action(
      async (given: string | undefined, options: { name?: string; json?: boolean; product?: string }) => {
        const services = await context.services();
        if (given !== undefined && options.product !== undefined && given !== options.product)
          throw new CliError(`two products given: "${given}" and --product "${options.product}"`);
        const created = await createKey(
          services,
          given ?? options.product ?? services.config.productId,
          options.name?.trim() || null,
          context.now,
        );
        if (options.json) printJson(context.io, created);
        else printLines(context.io, renderCreated(created));
      },
    );
  keys
    .command('list')
    .description('keys with their id, product, name, creation and last use (never the key)')
    .addOption(productOption('only the keys of this product; default every product'))
    .addOption(jsonOption())
    .action(async (options: { product?: string; json?: boolean }) => {
      const listed = await listKeys(await context.services(), options.product);
      if (options.json) printJson(context.io, listed);
      else printLines(context.io, renderKeys(listed));
    });
  keys
    .command('revoke')
    .description('delete a key made with keys create: requests with it get 401 at once')
    .argument('<id>', 'the key id shown by keys list')
    .action(async (id: string) => {
      const record = await revokeKey(await context.services(), id);
      printLines(context.io, [
        `Revoked key ${record.id} (product ${record.productId}). Requests with it now get 401.`,
      ]);
    });
}
