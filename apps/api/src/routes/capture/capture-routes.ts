import { timingSafeEqual } from 'node:crypto';
import cors from '@fastify/cors';
import {
  type CaptureFailure,
  type CaptureKeyKind,
  type CaptureLimits,
  captureKeyKind,
  decideResponse,
  decodeCaptureBody,
  defaultCaptureLimits,
  extractEvents,
  extractWebhookEvent,
  flagsResponse,
  remoteConfigResponse,
  sentAtFromQuery,
} from '@threadline/capture';
import {
  type Action,
  type CapturedEvent,
  type CaptureQuotaDecision,
  describeEvent,
  type IdentitySettings,
  recordActivity,
} from '@threadline/core';
import type { Metrics } from '@threadline/observability';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiDependencies } from '../../dependencies.js';
import {
  captureClientOf,
  RecentRefusals,
  refuseOverQuota,
  refuseUnavailable,
  SlicedDescriber,
} from './capture-guards.js';

const captureLimits: CaptureLimits = defaultCaptureLimits;

/** What a request refused as malformed or with a wrong key counts against its client's minute, in events. */
const refusedRequestCost = 100;

/** The longest capture requests describe events, all together, before other work runs (ms). */
const describeSliceMs = 2;

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

/**
 * Which capture key a request carries: `public` (CAPTURE_API_KEY, ships in pages), `server`
 * (CAPTURE_SERVER_KEY, backends: its events count as verified), or null (refuse with 401).
 */
export function captureKeyOf(
  received: string | undefined,
  config: ApiDependencies['config'],
): CaptureKeyKind | null {
  return captureKeyKind(received, { apiKey: config.capture.apiKey, serverKey: config.capture.serverKey });
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

  const describer = new SlicedDescriber(describeSliceMs);
  // Proofs are checked only when something uses the answer.
  const identitySecret = config.capture.identity === 'off' ? undefined : config.capture.identitySecret;
  const store = async (
    events: CapturedEvent[],
    key: CaptureKeyKind | null,
    describe: (event: CapturedEvent) => Action | null = describeEvent,
  ) => {
    const identity: IdentitySettings = { mode: config.capture.identity, isTrustedSource: key === 'server' };
    const result = await recordActivity(config.productId, events, {
      activity: deps.activity,
      links: deps.links,
      ...(deps.identities ? { identities: deps.identities } : {}),
      describe,
      requestDelivery: (conversationId) => deps.queues.requestDelivery(conversationId),
      identity,
    });
    if (result.unverified > 0) deps.metrics.eventsRefused.inc({ reason: 'unverified' }, result.unverified);
    return result;
  };

  /**
   * Capture and its webhook twin only write: while Redis is down or too full they answer 503 before
   * reading the body, and webhooks, deliveries and reads go on.
   */
  const refuseWhileStorageIsOut = (reply: FastifyReply) => {
    if (!deps.isRedisConnected()) return refuseUnavailable(reply, 'redis_unavailable', deps.metrics);
    if (deps.redisMemory.isAboveHighWater) return refuseUnavailable(reply, 'redis_memory_high', deps.metrics);
    return null;
  };

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
    return extractEvents(
      decoded.payload,
      { now: deps.now(), ...(sentAt ? { sentAt } : {}), ...(identitySecret ? { identitySecret } : {}) },
      captureLimits,
    );
  };

  const refusals = new RecentRefusals();
  const refuseOver = (
    reply: FastifyReply,
    client: string,
    decision: Exclude<CaptureQuotaDecision, { isAllowed: true }>,
  ) => {
    refusals.remember(client, decision);
    return refuseOverQuota(reply, decision, deps.metrics);
  };

  /**
   * Runs before the body is read (`onRequest`): while Redis is out, or for a client over its limit,
   * the answer goes out without buffering or decoding anything. Which clients are over their limit
   * is what this process last learnt from Redis (the refusals it gave, until they end), so the
   * check costs no Redis call: a flood from one client costs neither decoding nor Redis, and a
   * client is refused by every replica once each has counted one of its requests over the limit.
   */
  const guardBeforeBody = async (request: FastifyRequest, reply: FastifyReply) => {
    const unavailable = refuseWhileStorageIsOut(reply);
    if (unavailable) return unavailable;
    const remembered = refusals.standing(captureClientOf(request.ip));
    if (remembered) return refuseOverQuota(reply, remembered, deps.metrics);
  };

  const capture = async (request: FastifyRequest, reply: FastifyReply) => {
    const client = captureClientOf(request.ip);
    const batch = readEvents(request, queryOf(request));
    // A request refused after its body was read still cost its decoding: it counts against the
    // client's minute (a body too large after decoding as a full batch), so malformed bodies and
    // gzip bombs are limited like events.
    const chargeRefused = async (events: number) => {
      const charged = await deps.captureQuota.takeEvents(client, events);
      if (!charged.isAllowed) refusals.remember(client, charged);
    };
    if (!batch.ok) {
      await chargeRefused(batch.code === 'too_large' ? captureLimits.maxEventsPerBatch : refusedRequestCost);
      return refuse(reply, batch, deps.metrics);
    }
    const key = captureKeyOf(batch.apiKey, config);
    if (!key) {
      await chargeRefused(refusedRequestCost);
      deps.metrics.eventsRefused.inc({ reason: 'unknown_api_key' });
      return reply
        .code(401)
        .send({ error: 'unknown_api_key', message: "the api_key / token is not this project's capture key" });
    }
    // Backends (the server key) are neither counted nor capped.
    const isPublic = key === 'public';
    const users = new Set(batch.events.map((event) => event.distinctId)).size;
    if (isPublic && users > config.capture.maxUsersPerRequest) {
      await chargeRefused(batch.events.length);
      deps.metrics.eventsRefused.inc({ reason: 'too_many_users' });
      return reply.code(413).send({
        error: 'too_many_users',
        message: `one request may carry the events of at most ${config.capture.maxUsersPerRequest} users (CAPTURE_MAX_USERS_PER_REQUEST); send fewer at a time`,
      });
    }
    // The events are counted while they are described (I/O beside CPU); nothing is stored unless the
    // count allowed them.
    const [taken, described] = await Promise.all([
      isPublic ? deps.captureQuota.takeEvents(client, batch.events.length) : ({ isAllowed: true } as const),
      describer.describe(batch.events, describeEvent, config.capture.cpuBudgetMs),
    ]);
    if (!taken.isAllowed) return refuseOver(reply, client, taken);
    const overBudget = batch.events.length - described.count;
    const result = await store(
      batch.events.slice(0, described.count),
      key,
      (event) => described.actions.get(event) ?? null,
    );
    if (isPublic) {
      const counted = await deps.captureQuota.addNewUsers(client, result.newUsers);
      if (!counted.isAllowed) refusals.remember(client, counted);
    }
    deps.metrics.eventsAccepted.inc(result.stored);
    if (result.duplicates > 0) deps.metrics.eventsRefused.inc({ reason: 'duplicate' }, result.duplicates);
    if (batch.skipped.length > 0) deps.metrics.eventsRefused.inc({ reason: 'skipped' }, batch.skipped.length);
    request.log.debug(
      {
        stored: result.stored,
        dropped: result.dropped,
        duplicates: result.duplicates,
        skipped: batch.skipped.length,
        overBudget,
      },
      'captured',
    );
    if (overBudget > 0) {
      deps.metrics.eventsRefused.inc({ reason: 'cpu_budget' }, overBudget);
      // posthog-node halves a batch answered 413 and sends both halves again; what was stored is
      // not stored twice.
      return reply.code(413).send({
        error: 'cpu_budget',
        message: `the last ${overBudget} of ${batch.events.length} events were not stored: describing them took longer than CAPTURE_CPU_BUDGET_MS; send them in smaller batches (events already stored are not stored twice)`,
      });
    }
    return { status: 1 };
  };
  for (const path of capturePaths) app.post(path, { onRequest: guardBeforeBody }, capture);
  for (const path of capturePaths) app.get(path, { onRequest: guardBeforeBody }, capture);

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
    const unavailable = refuseWhileStorageIsOut(reply);
    if (unavailable) return unavailable;
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
    const extracted = extractWebhookEvent(
      decoded.payload,
      { now: deps.now(), ...(identitySecret ? { identitySecret } : {}) },
      captureLimits,
    );
    if (!extracted.ok) return refuse(reply, extracted, deps.metrics);
    const result = await store([extracted.event], null);
    deps.metrics.eventsAccepted.inc(result.stored);
    return { status: 1 };
  });
}
