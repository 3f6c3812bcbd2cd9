import { randomBytes } from 'node:crypto';
import { activityNotice, inertJson, type Subscription } from '@threadline/core';
import { checkTarget, generateWebhookSecret, postSigned } from '@threadline/push';
import { RedisProductFeed, RedisSubscriptionStore } from '@threadline/redis-store';
import type { Command } from 'commander';
import { CliError, printJson, printLines } from '../cli-io.js';
import { type CommandContext, jsonOption } from '../command-context.js';
import type { Services } from '../connect.js';
import { oneLine, renderTable } from '../format.js';

const productIdPattern = /^[A-Za-z0-9._-]{1,64}$/;
const secretPattern = /^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/;

/** A subscription as `list` shows it: never its secret. */
export type SubscriptionListing = Omit<Subscription, 'secret'>;

const storeOf = (services: Services) => new RedisSubscriptionStore(services.redis, services.keys);
const policyOf = (services: Services) => ({ allowPrivate: services.config.push.allowPrivate });

export async function addSubscription(
  services: Services,
  productId: string,
  url: string,
  secret: string | undefined,
  now: () => Date,
): Promise<Subscription> {
  if (!productIdPattern.test(productId))
    throw new CliError(
      `product id "${oneLine(productId, 80)}" is not valid: use 1–64 letters, digits, ., - or _`,
    );
  if (secret !== undefined && !secretPattern.test(secret))
    throw new CliError(
      '--secret must be a Standard Webhooks secret: whsec_ followed by 24 to 64 bytes in base64',
    );
  const target = await checkTarget(url, policyOf(services));
  if (!target.ok) throw new CliError(`refused ${oneLine(url, 200)}: ${target.reason}`);
  const feed = new RedisProductFeed(services.redis, services.keys, {
    retentionSeconds: services.config.stream.retentionSeconds,
    maxEntries: services.config.stream.maxEntries,
  });
  const subscription: Subscription = {
    id: `sub_${randomBytes(6).toString('hex')}`,
    productId,
    url: target.url.href,
    secret: secret ?? generateWebhookSecret(),
    createdAt: now().toISOString(),
    disabled: null,
  };
  // Only actions stored from now on are pushed.
  await storeOf(services).add(subscription, await feed.latestId(productId));
  return subscription;
}

export async function listSubscriptions(services: Services): Promise<SubscriptionListing[]> {
  return (await storeOf(services).list()).map(({ secret: _secret, ...listed }) => listed);
}

async function subscriptionOrFail(services: Services, id: string): Promise<Subscription> {
  const subscription = await storeOf(services).get(id);
  if (!subscription)
    throw new CliError(
      `no subscription "${oneLine(id, 80)}" (prefix "${services.config.prefix}"); see threadline subscriptions list`,
    );
  return subscription;
}

/** Sends one signed test event (`type: "threadline.test"`, no actions) and answers the receiver's status. */
export async function testSubscription(services: Services, id: string, now: () => Date): Promise<string> {
  const subscription = await subscriptionOrFail(services, id);
  const sentAt = now();
  const body = inertJson({
    type: 'threadline.test',
    timestamp: sentAt.toISOString(),
    data: { notice: activityNotice, product_id: subscription.productId, actions: [] },
  });
  const outcome = await postSigned(
    {
      url: subscription.url,
      webhookId: `msg_${subscription.id}_test_${sentAt.getTime()}`,
      secret: subscription.secret,
      body,
      timeoutMs: services.config.push.timeoutMs,
      now: sentAt,
    },
    policyOf(services),
  );
  if (!outcome.ok) throw new CliError(`test push to ${subscription.url} failed: ${outcome.reason}`);
  return `Test push delivered to ${subscription.url}: the receiver answered ${outcome.status}.`;
}

export function renderSubscriptions(listed: SubscriptionListing[]): string[] {
  if (listed.length === 0)
    return ['No push subscriptions. Add one with: threadline subscriptions add <product_id> <https url>'];
  return renderTable(
    ['id', 'product', 'url', 'created', 'state'],
    listed.map((subscription) => [
      subscription.id,
      subscription.productId,
      oneLine(subscription.url, 80),
      subscription.createdAt,
      subscription.disabled
        ? `disabled ${subscription.disabled.at}: ${oneLine(subscription.disabled.reason, 160)}`
        : 'active',
    ]),
  );
}

export function registerSubscriptionsCommand(program: Command, context: CommandContext): void {
  const subscriptions = program
    .command('subscriptions')
    .description("push webhooks: a product's new actions POSTed to a URL, signed per Standard Webhooks");
  subscriptions
    .command('add')
    .description('subscribe a URL to a product and print its signing secret once')
    .argument('<productId>', 'the product whose actions are pushed')
    .argument('<url>', 'the receiver: https, a public address (SUBSCRIPTIONS_ALLOW_PRIVATE=true for tests)')
    .option('--secret <whsec>', 'use this whsec_… secret instead of a new one')
    .addOption(jsonOption())
    .action(async (productId: string, url: string, options: { secret?: string; json?: boolean }) => {
      const added = await addSubscription(
        await context.services(),
        productId,
        url,
        options.secret,
        context.now,
      );
      if (options.json) printJson(context.io, added);
      else
        printLines(context.io, [
          `Subscribed ${added.url} to product ${added.productId} as ${added.id}.`,
          '',
          `  ${added.secret}`,
          '',
          'Copy the secret now: it is shown only this once. Verify each push with it (docs/consumers.md).',
        ]);
    });
  subscriptions
    .command('list')
    .description('subscriptions with their state; a disabled one says why (never the secret)')
    .addOption(jsonOption())
    .action(async (options: { json?: boolean }) => {
      const listed = await listSubscriptions(await context.services());
      if (options.json) printJson(context.io, listed);
      else printLines(context.io, renderSubscriptions(listed));
    });
  subscriptions
    .command('remove')
    .description('delete a subscription: nothing more is sent to it, batches waiting for it are dropped')
    .argument('<id>', 'the id shown by subscriptions list')
    .action(async (id: string) => {
      const services = await context.services();
      const subscription = await subscriptionOrFail(services, id);
      await storeOf(services).remove(id);
      printLines(context.io, [`Removed subscription ${id} (${subscription.url}).`]);
    });
  subscriptions
    .command('test')
    .description('send one signed test event to the subscription now and show the answer')
    .argument('<id>', 'the id shown by subscriptions list')
    .action(async (id: string) => {
      printLines(context.io, [await testSubscription(await context.services(), id, context.now)]);
    });
}
