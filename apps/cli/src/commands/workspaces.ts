import {
  RedisWorkspaceStore,
  type RekeyReport,
  TokenCipher,
  type WorkspaceDetails,
  type WorkspaceRemoval,
} from '@threadline/redis-store';
import type { Command } from 'commander';
import { CliError, printJson, printLines } from '../cli-io.js';
import { type CommandContext, jsonOption } from '../command-context.js';
import type { Services } from '../connect.js';
import { oneLine, renderTable } from '../format.js';

/** A workspace as `workspaces list` shows it: never its token. */
export interface WorkspaceListing {
  productId: string;
  appId: string | null;
  adminId: string | null;
  source: 'environment' | 'oauth';
  createdAt: string | null;
  lastSeenAt: string | null;
}

function storeOf(services: Services): RedisWorkspaceStore {
  const { encryptionKeys } = services.config;
  return new RedisWorkspaceStore(
    services.redis,
    services.keys,
    encryptionKeys.length > 0 ? new TokenCipher(encryptionKeys) : null,
  );
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The environment's workspace (INTERCOM_ACCESS_TOKEN and PRODUCT_ID), when it has a token. */
function environmentWorkspace(services: Services): WorkspaceListing | null {
  const { intercom, productId } = services.config;
  if (!intercom.accessToken) return null;
  return {
    productId,
    appId: intercom.appId ?? null,
    adminId: intercom.adminId ?? null,
    source: 'environment',
    createdAt: null,
    lastSeenAt: null,
  };
}

export async function listWorkspaces(services: Services): Promise<WorkspaceListing[]> {
  const store = storeOf(services);
  const installed: WorkspaceListing[] = [];
  for (const workspace of await store.list()) {
    const details = await store.details(workspace.productId);
    installed.push({
      productId: workspace.productId,
      appId: workspace.appId,
      adminId: workspace.adminId,
      source: 'oauth',
      createdAt: iso(workspace.createdAt),
      lastSeenAt: iso(details?.lastSeenAt ?? null),
    });
  }
  const fromEnvironment = environmentWorkspace(services);
  return fromEnvironment ? [fromEnvironment, ...installed] : installed;
}

function unknownWorkspace(services: Services, productId: string): CliError {
  return new CliError(
    `no installed workspace "${oneLine(productId, 80)}" (prefix "${services.config.prefix}"); see threadline workspaces list`,
  );
}

export async function showWorkspace(services: Services, productId: string): Promise<WorkspaceDetails> {
  const details = await storeOf(services).details(productId);
  if (!details) throw unknownWorkspace(services, productId);
  return details;
}

export async function removeWorkspace(
  services: Services,
  productId: string,
  isConfirmed: boolean,
): Promise<WorkspaceRemoval> {
  if (productId === services.config.productId && environmentWorkspace(services)) {
    throw new CliError(
      `${productId} is the environment's workspace (PRODUCT_ID, INTERCOM_ACCESS_TOKEN): change the environment to remove it`,
    );
  }
  const store = storeOf(services);
  if (!(await store.byProduct(productId))) throw unknownWorkspace(services, productId);
  if (!isConfirmed) {
    throw new CliError(
      `this erases workspace ${productId}: its Intercom token, capture and MCP keys, links and activity; run again with --yes`,
    );
  }
  const removed = await store.remove(productId);
  if (!removed) throw unknownWorkspace(services, productId);
  return removed;
}

export async function rekeyWorkspaces(services: Services): Promise<RekeyReport> {
  if (services.config.encryptionKeys.length === 0) {
    throw new CliError(
      'THREADLINE_ENCRYPTION_KEY is not set: rekey needs the new key first and the old ones after it',
    );
  }
  return storeOf(services).rekey();
}

export function renderWorkspaces(workspaces: WorkspaceListing[]): string[] {
  if (workspaces.length === 0)
    return [
      'No workspaces. Install one at <THREADLINE_PUBLIC_URL>/oauth/intercom/install (docs/intercom.md).',
    ];
  return renderTable(
    ['product', 'app id', 'admin', 'source', 'created', 'last seen'],
    workspaces.map((workspace) => [
      workspace.productId,
      workspace.appId ?? '(from /me)',
      workspace.adminId ?? '(from /me)',
      workspace.source,
      workspace.createdAt ?? '-',
      workspace.lastSeenAt ?? 'never',
    ]),
  );
}

export function renderWorkspace(details: WorkspaceDetails): string[] {
  return [
    `Workspace ${details.productId}`,
    `  app id        ${details.appId}`,
    `  admin         ${details.adminId}`,
    `  API base URL  ${details.apiBaseUrl}`,
    `  source        ${details.source}`,
    `  created       ${new Date(details.createdAt).toISOString()}`,
    `  installed     ${new Date(details.installedAt).toISOString()}`,
    `  last seen     ${details.lastSeenAt === null ? 'never' : new Date(details.lastSeenAt).toISOString()}`,
    `  token         ${details.tokenKeyId === null ? 'none' : `encrypted with key ${details.tokenKeyId}`}`,
    `  capture keys  ${details.captureKeys}`,
    `  MCP keys      ${details.mcpKeyIds.length === 0 ? 'none' : details.mcpKeyIds.join(', ')}`,
  ];
}

export function registerWorkspacesCommand(program: Command, context: CommandContext): void {
  const workspaces = program
    .command('workspaces')
    .description('Intercom workspaces served (each one product): installed with OAuth, or the environment’s');
  workspaces
    .command('list')
    .description(
      'every workspace with its product id, app id, admin, source and last activity (never a token)',
    )
    .addOption(jsonOption())
    .action(async (options: { json?: boolean }) => {
      const listed = await listWorkspaces(await context.services());
      if (options.json) printJson(context.io, listed);
      else printLines(context.io, renderWorkspaces(listed));
    });
  workspaces
    .command('show')
    .description('one installed workspace: ids, region URL, times, which key encrypts its token, its keys')
    .argument('<productId>', 'the workspace’s product id (workspaces list)')
    .addOption(jsonOption())
    .action(async (productId: string, options: { json?: boolean }) => {
      const details = await showWorkspace(await context.services(), productId);
      if (options.json) printJson(context.io, details);
      else printLines(context.io, renderWorkspace(details));
    });
  workspaces
    .command('remove')
    .description('erase an installed workspace: its token, capture and MCP keys, links and activity')
    .argument('<productId>', 'the workspace’s product id (workspaces list)')
    .option('--yes', 'confirm: without it nothing is erased')
    .action(async (productId: string, options: { yes?: boolean }) => {
      const removed = await removeWorkspace(await context.services(), productId, options.yes === true);
      printLines(context.io, [
        `Removed workspace ${removed.productId}: its token, ${removed.accessKeys} MCP key(s), ${removed.captureKeys} capture key(s), ${removed.subscriptions} subscription(s), ${removed.conversations} conversation(s) and ${removed.activityKeys} activity key(s).`,
        'Uninstall the app in that Intercom workspace too, so Intercom stops sending its webhooks.',
      ]);
    });
  workspaces
    .command('rekey')
    .description(
      'encrypt every workspace token again with the first THREADLINE_ENCRYPTION_KEY (after a rotation)',
    )
    .addOption(jsonOption())
    .action(async (options: { json?: boolean }) => {
      const report = await rekeyWorkspaces(await context.services());
      if (report.unreadable.length > 0) context.setExitCode(1);
      if (options.json) {
        printJson(context.io, report);
        return;
      }
      printLines(context.io, [
        `Re-encrypted ${report.rekeyed} token(s) with the first key; ${report.current} already used it.`,
        ...(report.unreadable.length === 0
          ? [
              'Every token now uses the first key: the old keys can be dropped from THREADLINE_ENCRYPTION_KEY.',
            ]
          : [
              `Not readable with any listed key (reinstall these): ${report.unreadable.join(', ')}.`,
              'Keep the old keys listed until these are reinstalled or removed.',
            ]),
      ]);
    });
}
