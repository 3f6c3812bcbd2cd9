import { timingSafeEqual } from 'node:crypto';
import {
  type CaptureFailure,
  type CaptureLimits,
  defaultCaptureLimits,
  extractSegmentEvents,
  segmentCallOf,
  segmentMaxBatchBytes,
  segmentMaxEventBytes,
} from '@threadline/capture';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiDependencies } from '../../dependencies.js';
import { captureClientOf, refuseOverQuota } from '../capture/capture-guards.js';
import { captureKeyOf } from '../capture/capture-routes.js';
import {
  createSourceCapture,
  refusedRequestCost,
  type SourceCaptureOutcome,
} from './capture-source-events.js';
import {
  acceptRawBodies,
  allowBrowserOrigins,
  basicAuthUser,
  bearerToken,
  decodeSourceBody,
} from './source-body.js';

/** Segment's answer to every accepted call. */
const accepted = { success: true } as const;

/** Segment's batch limit, also the most any Segment body may be, raw or decoded. */
const batchLimits: CaptureLimits = {
  ...defaultCaptureLimits,
  maxBodyBytes: segmentMaxBatchBytes,
  maxDecodedBytes: segmentMaxBatchBytes,
};
const callLimits: CaptureLimits = { ...batchLimits, maxDecodedBytes: segmentMaxEventBytes };

function sameSecret(received: string, expected: string): boolean {
  const a = Buffer.from(received);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Segment answers 400 for a body too large or not understood, never 413. */
function refuse(reply: FastifyReply, failure: CaptureFailure, deps: ApiDependencies) {
  deps.metrics.eventsRefused.inc({ reason: failure.code });
  return reply.code(400).send({ success: false, error: failure.code, message: failure.message });
}

function answer(reply: FastifyReply, outcome: SourceCaptureOutcome, deps: ApiDependencies) {
  switch (outcome.kind) {
    case 'stored':
      return reply.code(200).send(accepted);
    case 'over_quota':
      return refuseOverQuota(reply, outcome.decision, deps.metrics);
    case 'too_many_users':
      return reply.code(400).send({
        success: false,
        error: 'too_many_users',
        message: `one request may carry the events of at most ${outcome.limit} users (CAPTURE_MAX_USERS_PER_REQUEST); send fewer at a time`,
      });
    case 'cpu_budget':
      // 5xx: Segment's libraries retry it (4xx other than 429 are dropped); what was stored is not stored twice.
      return reply
        .code(503)
        .header('retry-after', '1')
        .send({
          success: false,
          error: 'cpu_budget',
          message: `the last ${outcome.notStored} of ${outcome.total} events were not stored: describing them took longer than CAPTURE_CPU_BUDGET_MS; send smaller batches`,
        });
  }
}

/**
 * Segment-compatible capture: the HTTP Tracking API (`/segment/v1/track|page|screen|identify|group|
 * alias|batch`), analytics.js 2.0's own paths (`/segment/v1/t|p|s|i|g|a|b`, telemetry `/m`) and
 * RudderStack's SDKs, which speak the same protocol. The write key is a capture key, as Basic auth
 * user or `writeKey` in the body. Also `POST /webhooks/segment`, a "Webhooks (Actions)" destination.
 */
export async function segmentRoutes(app: FastifyInstance, options: { deps: ApiDependencies }) {
  const { deps } = options;
  const { config } = deps;
  const sources = createSourceCapture(deps);
  acceptRawBodies(app, segmentMaxBatchBytes);
  allowBrowserOrigins(app, ['/segment/v1/:call']);
  app.setErrorHandler((error: FastifyError, _request, reply) => {
    if (error.code !== 'FST_ERR_CTP_BODY_TOO_LARGE') throw error;
    deps.metrics.eventsRefused.inc({ reason: 'too_large' });
    return reply.code(400).send({
      success: false,
      error: 'too_large',
      message: `body is larger than Segment's batch limit of ${segmentMaxBatchBytes} bytes`,
    });
  });

  const capture = async (request: FastifyRequest, reply: FastifyReply) => {
    const call = segmentCallOf((request.params as { call: string }).call);
    if (call === undefined) {
      return reply.code(404).send({ success: false, error: 'not_found', message: 'no such Segment call' });
    }
    const client = captureClientOf(request.ip);
    const isBatch = call === 'batch';
    const decoded = decodeSourceBody(request, isBatch ? batchLimits : callLimits);
    const batch = decoded.ok
      ? extractSegmentEvents(
          decoded.payload,
          {
            now: deps.now(),
            bodyBytes: decoded.decodedBytes,
            ...(isBatch ? {} : { pathType: call }),
            ...(config.capture.identity !== 'off' && config.capture.identitySecret
              ? { identitySecret: config.capture.identitySecret }
              : {}),
          },
          batchLimits,
        )
      : decoded;
    if (!batch.ok) {
      await sources.chargeRefused(client, refusedRequestCost);
      return refuse(reply, batch, deps);
    }
    const key = captureKeyOf(basicAuthUser(request) ?? batch.apiKey, config);
    if (!key) {
      await sources.chargeRefused(client, refusedRequestCost);
      deps.metrics.eventsRefused.inc({ reason: 'unknown_api_key' });
      return reply.code(401).send({
        success: false,
        error: 'unknown_write_key',
        message: "the write key is not this project's capture key",
      });
    }
    if (batch.skipped.length > 0) deps.metrics.eventsRefused.inc({ reason: 'skipped' }, batch.skipped.length);
    return answer(reply, await sources.captureSourceEvents({ events: batch.events, key, client }), deps);
  };
  app.post('/segment/v1/:call', { onRequest: sources.guardBeforeBody }, capture);
  // analytics.js's metrics (`/m`): accepted and dropped.
  app.post('/segment/v1/m', async () => accepted);

  app.post('/webhooks/segment', async (request, reply) => {
    const secret = config.capture.segmentWebhookSecret;
    if (!secret)
      return reply.code(404).send({ error: 'not_configured', message: 'SEGMENT_WEBHOOK_SECRET is not set' });
    const unavailable = sources.refuseWhileStorageIsOut(reply);
    if (unavailable) return unavailable;
    const received = bearerToken(request);
    if (!received || !sameSecret(received, secret)) {
      deps.metrics.eventsRefused.inc({ reason: 'bad_secret' });
      return reply.code(401).send({
        error: 'bad_secret',
        message: 'Authorization: Bearer <SEGMENT_WEBHOOK_SECRET> is missing or wrong',
      });
    }
    const decoded = decodeSourceBody(request, batchLimits);
    if (!decoded.ok) return refuse(reply, decoded, deps);
    // The destination posts the whole Segment event, or an array of them when batching.
    const payload = Array.isArray(decoded.payload)
      ? { batch: decoded.payload }
      : { batch: [decoded.payload] };
    const batch = extractSegmentEvents(
      payload,
      {
        now: deps.now(),
        bodyBytes: decoded.decodedBytes,
        ...(config.capture.identity !== 'off' && config.capture.identitySecret
          ? { identitySecret: config.capture.identitySecret }
          : {}),
      },
      batchLimits,
    );
    if (!batch.ok) return refuse(reply, batch, deps);
    return answer(
      reply,
      await sources.captureSourceEvents({ events: batch.events, key: null, client: null }),
      deps,
    );
  });
}
