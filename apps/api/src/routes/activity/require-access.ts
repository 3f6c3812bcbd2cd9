import { type AccessGrant, type AccessOutcome, authenticateAccess } from '@threadline/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiDependencies } from '../../dependencies.js';

const grants = new WeakMap<FastifyRequest, AccessGrant>();

function sendRefusal(reply: FastifyReply, outcome: Exclude<AccessOutcome, { kind: 'granted' }>) {
  switch (outcome.kind) {
    case 'missing_key':
      return reply.code(401).header('www-authenticate', 'Bearer realm="threadline"').send({
        error: 'missing_key',
        message:
          'send an access key as "Authorization: Bearer <key>" (keys come from MCP_API_KEYS or `threadline keys create`)',
      });
    case 'unknown_key':
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="threadline", error="invalid_token"')
        .send({
          error: 'unknown_key',
          message:
            'this access key is not valid here: it may be mistyped, revoked, or made for another Threadline deployment',
        });
    case 'rate_limited':
      return reply
        .code(429)
        .header('retry-after', String(outcome.retryAfterSeconds))
        .send({
          error: 'rate_limited',
          message: `this access key made too many requests; try again in ${outcome.retryAfterSeconds} s`,
        });
  }
}

/**
 * An `onRequest` hook for a plugin's routes: checks the bearer key before the body is even parsed,
 * answers 401 or 429 itself, and otherwise leaves the grant for `grantOf`.
 */
export function requireAccess(deps: ApiDependencies) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const outcome = await authenticateAccess(request.headers.authorization, {
      environmentKeys: deps.environmentKeys,
      keys: deps.accessKeys,
      rateLimiter: deps.rateLimiter,
      rateLimit: deps.accessRateLimit,
      now: deps.now,
    });
    if (outcome.kind === 'granted') {
      grants.set(request, outcome.grant);
      request.log = request.log.child({ keyId: outcome.grant.keyId });
      return;
    }
    request.log.info(
      { outcome: outcome.kind, ...('keyId' in outcome ? { keyId: outcome.keyId } : {}) },
      'access refused',
    );
    return sendRefusal(reply, outcome);
  };
}

/** The grant `requireAccess` left for this request (it always has one once a handler runs). */
export function grantOf(request: FastifyRequest): AccessGrant {
  const grant = grants.get(request);
  if (!grant) throw new Error('requireAccess must run before this handler');
  return grant;
}

export function forbiddenBody(keyProductId: string, productId: string) {
  return {
    error: 'wrong_product',
    message: `this access key belongs to product "${keyProductId}" and cannot read product "${productId}"`,
  };
}
