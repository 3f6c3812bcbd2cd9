import { receiveIntercomWebhook, type WebhookOutcome, type Workspace } from '@threadline/core';
import type { FastifyInstance, FastifyReply } from 'fastify';
import rawBody from 'fastify-raw-body';
import type { ApiDependencies } from '../../dependencies.js';
import { SignatureFailureWarnings } from './signature-failure-warnings.js';

export const webhookBodyLimit = 1024 * 1024;

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function send(reply: FastifyReply, outcome: WebhookOutcome) {
  switch (outcome.kind) {
    case 'accepted':
      return reply.code(200).send({ status: 'accepted', notification_id: outcome.notificationId });
    case 'duplicate':
      return reply.code(200).send({ status: 'duplicate', notification_id: outcome.notificationId });
    // Another workspace, or too old to be anything but a replay: 200 so Intercom neither retries nor
    // counts an error toward pausing the topic. Never 410: Intercom deletes the subscription on a 410.
    case 'ignored':
    case 'foreign_app':
    case 'stale':
      return reply.code(200).send({ status: 'ignored', reason: outcome.reason });
    case 'bad_signature':
      return reply.code(401).send({
        error: 'bad_signature',
        message: 'X-Hub-Signature is missing or does not match the body signed with the client secret',
      });
    case 'malformed':
      return reply.code(400).send({ error: 'malformed', message: outcome.reason });
  }
}

/**
 * `POST /webhooks/intercom`. The body is kept as raw bytes (fastify-raw-body) and never parsed before
 * the signature is verified; this scope's content parser therefore parses nothing.
 */
export async function intercomWebhookRoute(app: FastifyInstance, options: { deps: ApiDependencies }) {
  const { deps } = options;
  await app.register(rawBody, { global: false, encoding: false, runFirst: true });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: webhookBodyLimit }, (_request, _body, done) =>
    done(null, undefined),
  );
  const signatureFailures = new SignatureFailureWarnings(deps.logger);
  app.addHook('onClose', async () => signatureFailures.stop());

  // Intercom validates the endpoint URL with a HEAD request when it is saved in the Developer Hub.
  app.head('/webhooks/intercom', async (_request, reply) => reply.code(200).send());

  app.post(
    '/webhooks/intercom',
    { config: { rawBody: true }, bodyLimit: webhookBodyLimit },
    async (request, reply) => {
      const secret = deps.config.intercom.clientSecret;
      if (!secret) {
        return reply.code(503).send({
          error: 'not_configured',
          message: 'INTERCOM_CLIENT_SECRET is not set, so webhooks cannot be verified',
        });
      }
      const body = request.rawBody;
      // The workspace the notification was routed to, for its last-seen time.
      const routing: { workspace: Workspace | null } = { workspace: null };
      const outcome = await receiveIntercomWebhook(
        {
          rawBody: Buffer.isBuffer(body) ? body : Buffer.from(body ?? ''),
          signatures: {
            sha1: header(request.headers['x-hub-signature']),
            sha256: header(request.headers['x-hub-signature-256']),
          },
        },
        {
          clientSecret: secret,
          productOfApp: async (appId) => {
            routing.workspace = await deps.workspaces.byAppId(appId ?? '');
            return routing.workspace?.productId ?? null;
          },
          claims: deps.claims,
          enqueueLink: (linkRequest) => deps.queues.enqueueLink(linkRequest),
          now: deps.now,
        },
      );
      deps.metrics.webhookDeliveries.inc({
        topic: 'topic' in outcome ? outcome.topic : 'unknown',
        outcome: outcome.kind,
        ...(outcome.kind === 'accepted' ? { workspace: deps.workspaceLabel.of(outcome.productId) } : {}),
      });
      if (outcome.kind === 'bad_signature') signatureFailures.record();
      if (outcome.kind === 'accepted' && routing.workspace?.source === 'oauth')
        await deps.workspaceActivity
          ?.touch(outcome.productId, deps.now().getTime())
          .catch((error: Error) => request.log.debug({ err: error }, 'workspace last-seen not written'));
      // For `threadline doctor --live`; a Redis hiccup here must not cost Intercom its answer.
      await deps.webhookLog
        .record({
          isVerified: outcome.kind !== 'bad_signature',
          topic: 'topic' in outcome ? outcome.topic : undefined,
          at: deps.now(),
        })
        .catch((error: Error) => request.log.debug({ err: error }, 'webhook log not written'));
      request.log.info(
        {
          outcome: outcome.kind,
          ...('notificationId' in outcome ? { notificationId: outcome.notificationId } : {}),
          ...(outcome.kind === 'accepted' ? { productId: outcome.productId } : {}),
        },
        'intercom webhook',
      );
      return send(reply, outcome);
    },
  );
}
