import { eraseJobs } from '@threadline/queues';
import { type ErasureReport, eraseConversations, eraseUser } from '@threadline/redis-store';
import { type Command, InvalidArgumentError } from 'commander';
import { CliError, printJson, printLines } from '../cli-io.js';
import {
  allQueues,
  type CommandContext,
  jsonOption,
  productAndSubject,
  productOption,
} from '../command-context.js';
import type { Services } from '../connect.js';

/** What one `forget` removed, over every id and email the person turned out to have. */
export interface PersonErasure {
  productId: string;
  userIds: string[];
  emails: string[];
  users: (ErasureReport & { userId: string })[];
  jobs: { removed: string[]; active: string[]; events: number };
  /** Conversations found only through jobs (never linked): their `unlinked` entries. */
  unlinkedConversations: string[];
  unlinkedEntries: number;
  keys: string[];
}

function isEmail(text: string): boolean {
  return /^[^\s@]+@[^\s@]+$/.test(text);
}

/**
 * Erases a person known by user ids and/or emails: each user id's Redis data (see `eraseUser`), and
 * every job naming them. What the jobs reveal (the email of a user's contact, the user id of an
 * email's contact, their conversations) is erased too, until nothing new turns up.
 */
export async function forgetPerson(
  services: Services,
  productId: string,
  asked: { userIds: string[]; emails: string[] },
): Promise<PersonErasure> {
  const { redis, keys, config, identities } = services;
  const emails = new Set(asked.emails.map((email) => email.trim().toLowerCase()));
  const userIds = new Set(asked.userIds);
  // With LINK_BY_EMAIL an email's fingerprint names its user.
  for (const email of emails) {
    const userId = await identities.userByEmail(productId, email);
    if (userId) userIds.add(userId);
  }
  const queues = allQueues(config).map((name) => services.queue(name));
  const users: PersonErasure['users'] = [];
  const conversations = new Set<string>();
  const jobs: PersonErasure['jobs'] = { removed: [], active: [], events: 0 };
  const jobConversations = new Set<string>();
  for (let round = 0; round < 5; round += 1) {
    const fresh = [...userIds].filter((userId) => !users.some((user) => user.userId === userId));
    for (const userId of fresh) {
      const report = await eraseUser(redis, keys, productId, userId);
      users.push({ userId, ...report });
      for (const conversationId of report.conversations) conversations.add(conversationId);
    }
    const found = await eraseJobs(queues, redis, {
      userIds: [...userIds],
      emails: [...emails],
      conversationIds: [...conversations, ...jobConversations],
    });
    jobs.removed.push(...found.removed);
    jobs.events += found.events;
    jobs.active = found.active;
    for (const email of found.found.emails) emails.add(email);
    for (const conversationId of found.found.conversationIds) {
      if (!conversations.has(conversationId)) jobConversations.add(conversationId);
    }
    const newUsers = found.found.userIds.filter((userId) => !userIds.has(userId));
    for (const userId of newUsers) userIds.add(userId);
    if (newUsers.length === 0) break;
  }
  const unlinkedConversations = [...jobConversations].filter((id) => !conversations.has(id));
  const leftovers = await eraseConversations(redis, keys, unlinkedConversations);
  return {
    productId,
    userIds: [...userIds],
    emails: [...emails],
    users,
    jobs,
    unlinkedConversations,
    unlinkedEntries: leftovers.unlinkedEntries + users.reduce((sum, user) => sum + user.unlinkedEntries, 0),
    keys: [...users.flatMap((user) => user.keys), ...leftovers.keys],
  };
}

export function renderErasure(erasure: PersonErasure): string[] {
  const who = [
    ...erasure.userIds.map((id) => `user ${id}`),
    ...erasure.emails.map((email) => `email ${email}`),
  ];
  const nothing =
    erasure.keys.length === 0 &&
    erasure.jobs.removed.length === 0 &&
    erasure.jobs.active.length === 0 &&
    erasure.jobs.events === 0 &&
    erasure.unlinkedEntries === 0;
  if (nothing) return [`Nothing stored for ${who.join(', ')} of product ${erasure.productId}.`];
  const sum = (pick: (user: PersonErasure['users'][number]) => number) =>
    erasure.users.reduce((total, user) => total + pick(user), 0);
  const conversations = erasure.users.flatMap((user) => user.conversations);
  const mergedInto = erasure.users.flatMap((user) => user.mergedInto);
  const lines = [
    `Erased ${who.join(', ')} of product ${erasure.productId}:`,
    `  ${sum((user) => user.actions)} actions`,
    `  ${conversations.length} conversation links with their delivery state${
      conversations.length > 0 ? ` (${conversations.join(', ')})` : ''
    }`,
    `  ${sum((user) => user.anonymousIds)} anonymous ids merged into the user`,
    `  ${mergedInto.length} ids the user was merged into, with their actions${
      mergedInto.length > 0 ? ` (${mergedInto.join(', ')})` : ''
    }`,
    `  ${sum((user) => user.emailFingerprints)} email fingerprints`,
    `  ${erasure.unlinkedEntries} entries of the unlinked stream`,
    `  ${erasure.jobs.removed.length} queue jobs and ${erasure.jobs.events} queue events naming them`,
    `  ${erasure.keys.length} Redis keys deleted`,
  ];
  if (erasure.jobs.active.length > 0) {
    lines.push(
      `  ${erasure.jobs.active.length} jobs are running right now and were left (${erasure.jobs.active.join(', ')}): run the command again in a minute`,
    );
  }
  lines.push(
    'Notes already written in Intercom stay there: erase them in Intercom if the request covers them.',
  );
  return lines;
}

async function run(
  context: CommandContext,
  productId: string,
  asked: { userIds: string[]; emails: string[] },
  options: { json?: boolean },
) {
  const services = await context.services();
  const erasure = await forgetPerson(services, productId, asked);
  if (options.json) {
    // `userId` and `actions` as `forget user --json` printed them before emails and jobs were erased too.
    const actions = erasure.users.reduce((total, user) => total + user.actions, 0);
    printJson(context.io, { ...(asked.userIds[0] ? { userId: asked.userIds[0] } : {}), actions, ...erasure });
  } else printLines(context.io, renderErasure(erasure));
  if (erasure.jobs.active.length > 0) context.setExitCode(1);
}

function emailList(value: string, previous: string[] = []): string[] {
  if (!isEmail(value.trim())) throw new InvalidArgumentError('use an email address');
  return [...previous, value];
}

export function registerForgetCommand(program: Command, context: CommandContext): void {
  const forget = program
    .command('forget')
    .description('erase what Threadline holds about someone (for erasure requests)');
  forget
    .command('user')
    .description(
      'delete every trace of a user: actions, conversation links, merged ids, email fingerprints, queue jobs',
    )
    .argument(
      '<productIdOrUserId>',
      'the product the user belongs to, then the user (or the user alone with --product)',
    )
    .argument('[userId]', "the product's user id (the Intercom contact's external_id)")
    .addOption(productOption())
    .option('--email <address>', 'also erase by this email (repeatable)', emailList)
    .addOption(jsonOption())
    .action(
      async (
        first: string,
        second: string | undefined,
        options: { json?: boolean; email?: string[]; product?: string },
      ) => {
        const { config } = await context.services();
        const { productId, subject } = productAndSubject(config, first, second, options.product);
        await run(context, productId, { userIds: [subject], emails: options.email ?? [] }, options);
      },
    );
  forget
    .command('email')
    .description(
      'erase a person by email: queue jobs of contacts with that email, and every user id they lead to',
    )
    .argument(
      '<productIdOrAddress>',
      'the product the person belongs to, then the address (or the address alone with --product)',
    )
    .argument('[address]', 'the email address (compared case-insensitively)')
    .addOption(productOption())
    .addOption(jsonOption())
    .action(
      async (first: string, second: string | undefined, options: { json?: boolean; product?: string }) => {
        const { config } = await context.services();
        const { productId, subject: address } = productAndSubject(config, first, second, options.product);
        if (!isEmail(address.trim())) throw new CliError(`"${address}" is not an email address`);
        await run(context, productId, { userIds: [], emails: [address] }, options);
      },
    );
}
