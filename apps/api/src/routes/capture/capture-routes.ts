import { timingSafeEqual } from 'node:crypto';
import cors from '@fastify/cors';
import {
  type CaptureFailure,
  decideResponse,
  decodeCaptureBody,
  extractWebhookEvent,
  flagsResponse,
  remoteConfigResponse,
} from '@threadline/capture';
import { type CaptureOutcome, recordActivity } from '@threadline/core';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiDependencies } from '../../dependencies.js';
import type { CaptureEntry } from './capture-entry.js';
import {
  captureErrorSchema,
  captureQuerySchema,
  captureResponseSchema,
  decideQuerySchema,
  remoteConfigParamsSchema,
} from './capture-schemas.js';

/**
 * Every path posthog-js and posthog-node send events to. The app ignores a trailing slash
 * (`routerOptions.ignoreTrailingSlash`), so `/e/` and `/batch/` are these routes too.
 */
export const capturePaths = ['/e', '/i/v0/e', '/batch', '/capture', '/track', '/engage'];

/** The status of each capture outcome, with its Retry-After in seconds where the client should wait. */
export function captureStatus(outcome: CaptureOutcome): { status: number; retryAfterSeconds?: number } {
  if (outcome.kind === 'accepted') return { status: 200 };
  const retryAfterSeconds = Math.ceil((outcome.retryAfterMs ?? 0) / 1000);
  switch (outcome.reason) {
    case 'malformed':
      return { status: 400 };
    case 'unknown_api_key':
      return { status: 401 };
    case 'too_large':
    case 'too_many_users':
    case 'cpu_budget':
      return { status: 413 };
    case 'ip_events':
    case 'ip_new_users':
      return { status: 429, retryAfterSeconds };
    case 'redis_unavailable':
    case 'redis_memory_high':
      return { status: 503, retryAfterSeconds };
  }
}

/**
 * A refusal as capture answers it: its status, `Retry-After` where the client should wait, and
 * `{ error, message }`, to which a source may add its own fields (`body`).
 */
export function replyRefused(
  reply: FastifyReply,
  outcome: Extract<CaptureOutcome, { kind: 'refused' }>,
  body: Record<string, unknown> = {},
) {
  const { status, retryAfterSeconds } = captureStatus(outcome);
  if (retryAfterSeconds !== undefined) reply.header('retry-after', String(retryAfterSeconds));
  return reply.code(status).send({ ...body, error: outcome.reason, message: outcome.message });
}

function replyWith(reply: FastifyReply, outcome: CaptureOutcome) {
  if (outcome.kind === 'accepted') return reply.send({ status: 1 });
  return replyRefused(reply, outcome);
}

function sameSecret(received: string, expected: string): boolean {
  const a = Buffer.from(received);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function refuse(reply: FastifyReply, failure: CaptureFailure, deps: ApiDependencies) {
  deps.metrics.eventsRefused.inc({ reason: failure.code });
  return reply
    .code(failure.code === 'too_large' ? 413 : 400)
    .send({ error: failure.code, message: failure.message });
}

const captureRouteSchema = {
  querystring: captureQuerySchema,
  response: { 200: captureResponseSchema, '4xx': captureErrorSchema, '5xx': captureErrorSchema },
};

/**
 * PostHog-compatible capture: the event routes, what posthog-js asks for at start, and the PostHog
 * webhook destination. Bodies stay raw bytes here (Fastify's text parser would corrupt gzip); the
 * `captureEvents` use case (through `capture`, see capture-entry.ts) decides, this maps.
 */
export async function captureRoutes(
  app: FastifyInstance,
  options: { deps: ApiDependencies; capture: CaptureEntry },
) {
  const { deps, capture } = options;
  const { config } = deps;
  // CORS answers only on the capture paths, and without credentials (capture needs no cookies). The
  // plugin's preflight route is `OPTIONS *`, which matches every path of the app, so the decision is
  // made per request: any other path (admin, /mcp, /v1) gets no CORS headers and its preflight a 404.
  // /webhooks/posthog is server to server and gets none either.
  const capturePathSet = new Set(capturePaths);
  const isBrowserCapturePath = (path: string) =>
    capturePathSet.has(path.replace(/(.)\/$/, '$1')) ||
    /^\/(flags|decide|s|array\/[^/]+\/config)\/?$/.test(path);
  await app.register(cors, {
    delegator: (request, done) =>
      done(
        null,
        isBrowserCapturePath(request.url.split('?')[0] ?? '')
          ? { origin: true, credentials: false, maxAge: 86_400 }
          : { origin: false },
      ),
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    '*',
    { parseAs: 'buffer', bodyLimit: capture.limits.maxBodyBytes },
    (_request, body, done) => done(null, body),
  );
  app.setErrorHandler((error: FastifyError, _request, reply) => {
    // Fastify refuses an oversized body before the handler runs; it gets the same code as one that
    // is too large after decoding, so a client sees one stable `too_large` for both.
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      return reply.code(413).send({
        error: 'too_large',
        message: `body is larger than the limit of ${capture.limits.maxBodyBytes} bytes`,
      });
    if (error.validation)
      return reply.code(400).send({ error: 'malformed', message: `the request's ${error.message}` });
    throw error;
  });

  /**
   * Before the body is read (`onRequest`): while Redis is out, or for a client this process already
   * refused (until that refusal ends), the answer goes out without buffering or decoding anything,
   * and without a Redis call.
   */
  const guardBeforeBody = async (request: FastifyRequest, reply: FastifyReply) => {
    const outcome = capture.beforeBody(request.ip);
    if (outcome) return replyWith(reply, outcome);
  };
  const handle = async (request: FastifyRequest, reply: FastifyReply) => {
    const outcome = await capture.capture({
      body: Buffer.isBuffer(request.body) ? request.body : undefined,
      headers: request.headers,
      query: request.query as Record<string, unknown>,
      ip: request.ip,
    });
    request.log.debug({ outcome: outcome.kind, ...outcome.counts }, 'captured');
    return replyWith(reply, outcome);
  };
  for (const url of capturePaths) {
    app.route({
      method: ['GET', 'POST'],
      url,
      schema: captureRouteSchema,
      onRequest: guardBeforeBody,
      handler: handle,
    });
  }

  app.get<{ Params: { token: string } }>(
    '/array/:token/config',
    { schema: { params: remoteConfigParamsSchema } },
    async (request) => remoteConfigResponse(request.params.token),
  );
  app.post('/flags', async () => flagsResponse());
  app.post<{ Querystring: { v?: string } }>(
    '/decide',
    { schema: { querystring: decideQuerySchema } },
    async (request) => decideResponse(Number(request.query.v) || undefined),
  );
  app.post('/s', { schema: { response: { 200: captureResponseSchema } } }, async () => ({ status: 1 }));

  app.post(
    '/webhooks/posthog',
    {
      schema: {
        response: { 200: captureResponseSchema, '4xx': captureErrorSchema, '5xx': captureErrorSchema },
      },
    },
    async (request, reply) => {
      const secret = config.capture.posthogWebhookSecret;
      if (!secret)
        return reply
          .code(404)
          .send({ error: 'not_configured', message: 'POSTHOG_WEBHOOK_SECRET is not set' });
      const unavailable = capture.storageOut();
      if (unavailable) return replyWith(reply, unavailable);
      const received = header(request.headers['x-posthog-secret']);
      if (!received || !sameSecret(received, secret)) {
        deps.metrics.eventsRefused.inc({ reason: 'bad_secret' });
        return reply.code(401).send({ error: 'bad_secret', message: 'X-PostHog-Secret is missing or wrong' });
      }
      const decoded = decodeCaptureBody(
        {
          body: Buffer.isBuffer(request.body) ? request.body : undefined,
          contentType: header(request.headers['content-type']),
          query: {},
        },
        capture.limits,
      );
      if (!decoded.ok) return refuse(reply, decoded, deps);
      const identitySecret = config.capture.identity === 'off' ? undefined : config.capture.identitySecret;
      const extracted = extractWebhookEvent(
        decoded.payload,
        { now: deps.now(), ...(identitySecret ? { identitySecret } : {}) },
        capture.limits,
      );
      if (!extracted.ok) return refuse(reply, extracted, deps);
      const result = await recordActivity(config.productId, [extracted.event], {
        activity: deps.activity,
        links: deps.links,
        ...(deps.identities ? { identities: deps.identities } : {}),
        requestDelivery: (conversationId) => deps.queues.requestDelivery(conversationId),
        identity: { mode: config.capture.identity, isTrustedSource: false },
      });
      if (result.unverified > 0) deps.metrics.eventsRefused.inc({ reason: 'unverified' }, result.unverified);
      deps.metrics.eventsAccepted.inc(result.stored);
      return { status: 1 };
    },
  );
}
