import { timingSafeEqual } from 'node:crypto';
import cors from '@fastify/cors';
import {
  type CaptureFailure,
  type CaptureLimits,
  decideResponse,
  decodeCaptureBody,
  defaultCaptureLimits,
  extractEvents,
  extractWebhookEvent,
  flagsResponse,
  remoteConfigResponse,
  sentAtFromQuery,
} from '@threadline/capture';
import { type CapturedEvent, describeEvent, recordActivity } from '@threadline/core';
import type { Metrics } from '@threadline/observability';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiDependencies } from '../../dependencies.js';

const captureLimits: CaptureLimits = defaultCaptureLimits;

/** Every path posthog-js and posthog-node send events to, each with and without the trailing slash. */
export const capturePaths = ['/e', '/i/v0/e', '/batch', '/capture', '/track', '/engage'].flatMap((path) => [
  path,
  `${path}/`,
]);

function sameSecret(received: string, expected: string): boolean {
  const a = Buffer.from(received);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function refuse(reply: FastifyReply, failure: CaptureFailure, metrics: Pick<Metrics, 'eventsRefused'>) {
  metrics.eventsRefused.inc({ reason: failure.code });
  return reply
    .code(failure.code === 'too_large' ? 413 : 400)
    .send({ error: failure.code, message: failure.message });
}

function queryOf(request: FastifyRequest): Record<string, string | undefined> {
  const query = request.query as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(query ?? {}).map(([key, value]) => [key, typeof value === 'string' ? value : undefined]),
  );
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * PostHog-compatible capture: the event routes, what posthog-js asks for at start, and the PostHog
 * webhook destination. Bodies stay raw bytes here (Fastify's text parser would corrupt gzip).
 */
export async function captureRoutes(app: FastifyInstance, options: { deps: ApiDependencies }) {
  const { deps } = options;
  const { config } = deps;
  // CORS answers only on the capture paths, and without credentials (capture needs no cookies). The
  // plugin's preflight route is `OPTIONS *`, which matches every path of the app, so the decision is
  // made per request: any other path (admin, /mcp, /v1) gets no CORS headers and its preflight a 404.
  // /webhooks/posthog is server to server and gets none either.
  const capturePathSet = new Set(capturePaths);
  const isBrowserCapturePath = (path: string) =>
    capturePathSet.has(path) || /^\/(flags|decide|s|array\/[^/]+\/config)\/?$/.test(path);
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
    { parseAs: 'buffer', bodyLimit: captureLimits.maxBodyBytes },
    (_request, body, done) => done(null, body),
  );
  // Fastify refuses an oversized body before the handler runs; it gets the same code as one that is
  // too large after decoding, so a client sees one stable `too_large` for both.
  app.setErrorHandler((error: FastifyError, _request, reply) => {
    if (error.code !== 'FST_ERR_CTP_BODY_TOO_LARGE') throw error;
    return reply.code(413).send({
      error: 'too_large',
      message: `body is larger than the limit of ${captureLimits.maxBodyBytes} bytes`,
    });
  });

  const store = (events: CapturedEvent[]) =>
    recordActivity(config.productId, events, {
      activity: deps.activity,
      links: deps.links,
      ...(deps.identities ? { identities: deps.identities } : {}),
      describe: (event) => describeEvent(event),
      requestDelivery: (conversationId) => deps.queues.requestDelivery(conversationId),
    });

  /**
   * Decodes and extracts a request's events. Synchronous and separate from the handler, so the
   * parsed body (every property of every event, most of them dropped by extraction) is garbage as
   * soon as this returns instead of staying reachable while the events are stored.
   */
  const readEvents = (request: FastifyRequest, query: Record<string, string | undefined>) => {
    const decoded = decodeCaptureBody(
      {
        body: Buffer.isBuffer(request.body) ? request.body : undefined,
        contentType: header(request.headers['content-type']),
        contentEncoding: header(request.headers['content-encoding']),
        query,
      },
      captureLimits,
    );
    if (!decoded.ok) return decoded;
    // posthog-js sends its clock in `?_=`; PostHog uses it as sent_at for clock-skew correction.
    const sentAt = sentAtFromQuery(query);
    return extractEvents(decoded.payload, { now: deps.now(), ...(sentAt ? { sentAt } : {}) }, captureLimits);
  };

  const capture = async (request: FastifyRequest, reply: FastifyReply) => {
    const batch = readEvents(request, queryOf(request));
    if (!batch.ok) return refuse(reply, batch, deps.metrics);
    const expectedKey = config.capture.apiKey;
    if (!batch.apiKey || !expectedKey || !sameSecret(batch.apiKey, expectedKey)) {
      deps.metrics.eventsRefused.inc({ reason: 'unknown_api_key' });
      return reply
        .code(401)
        .send({ error: 'unknown_api_key', message: "the api_key / token is not this project's capture key" });
    }
    const result = await store(batch.events);
    deps.metrics.eventsAccepted.inc(batch.events.length);
    if (batch.skipped.length > 0) deps.metrics.eventsRefused.inc({ reason: 'skipped' }, batch.skipped.length);
    request.log.debug(
      { stored: result.stored, dropped: result.dropped, skipped: batch.skipped.length },
      'captured',
    );
    return { status: 1 };
  };
  for (const path of capturePaths) app.post(path, capture);
  for (const path of capturePaths) app.get(path, capture);

  app.get('/array/:token/config', async (request) =>
    remoteConfigResponse((request.params as { token: string }).token),
  );
  app.get('/array/:token/config/', async (request) =>
    remoteConfigResponse((request.params as { token: string }).token),
  );
  for (const path of ['/flags', '/flags/']) app.post(path, async () => flagsResponse());
  for (const path of ['/decide', '/decide/']) {
    app.post(path, async (request) => decideResponse(Number(queryOf(request).v) || undefined));
  }
  for (const path of ['/s', '/s/']) app.post(path, async () => ({ status: 1 }));

  app.post('/webhooks/posthog', async (request, reply) => {
    const secret = config.capture.posthogWebhookSecret;
    if (!secret)
      return reply.code(404).send({ error: 'not_configured', message: 'POSTHOG_WEBHOOK_SECRET is not set' });
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
      captureLimits,
    );
    if (!decoded.ok) return refuse(reply, decoded, deps.metrics);
    const extracted = extractWebhookEvent(decoded.payload, { now: deps.now() }, captureLimits);
    if (!extracted.ok) return refuse(reply, extracted, deps.metrics);
    await store([extracted.event]);
    deps.metrics.eventsAccepted.inc();
    return { status: 1 };
  });
}
