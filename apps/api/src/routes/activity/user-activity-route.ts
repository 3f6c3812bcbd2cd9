import { type LiveActivityOutcome, readLiveActivity } from '@threadline/core';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ApiDependencies } from '../../dependencies.js';
import { forbiddenBody, grantOf, requireAccess } from './require-access.js';

function send(reply: FastifyReply, outcome: LiveActivityOutcome) {
  switch (outcome.kind) {
    case 'ok':
      return reply.code(200).send(outcome.activity);
    case 'forbidden':
      return reply.code(403).send(forbiddenBody(outcome.keyProductId, outcome.productId));
    case 'invalid':
      return reply.code(400).send({ error: 'invalid_request', message: outcome.message });
  }
}

/** `?limit=` as given: absent, a whole number, or NaN for anything else (the use case refuses it). */
function parseLimit(value: unknown): number | undefined {
  if (value === undefined || value === '') return undefined;
  return typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : Number.NaN;
}

/**
 * `GET /v1/users/:productId/:userId/activity?limit=`: what the MCP tool returns, for HTTP clients
 * that are not MCP hosts, with the same bearer keys and statuses.
 */
export async function userActivityRoute(app: FastifyInstance, options: { deps: ApiDependencies }) {
  const { deps } = options;
  app.addHook('onRequest', requireAccess(deps));
  app.get<{ Params: { productId: string; userId: string }; Querystring: { limit?: string } }>(
    '/v1/users/:productId/:userId/activity',
    async (request, reply) => {
      const outcome = await readLiveActivity(
        grantOf(request),
        {
          productId: request.params.productId,
          userId: request.params.userId,
          limit: parseLimit(request.query.limit),
        },
        { activity: deps.activity, links: deps.links },
      );
      request.log.info(
        {
          outcome: outcome.kind,
          ...(outcome.kind === 'ok' ? { actions: outcome.activity.actions.length } : {}),
        },
        'user activity read',
      );
      return send(reply, outcome);
    },
  );
}
