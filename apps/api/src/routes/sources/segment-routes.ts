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
import type { CaptureOutcome } from '@threadline/core';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiDependencies } from '../../dependencies.js';
import type { CaptureEntry } from '../capture/capture-entry.js';
import { replyRefused } from '../capture/capture-routes.js';
import {
  acceptRawBodies,
  allowBrowserOrigins,
  basicAuthUser,
  bearerToken,
  decodeSourceBody,
} from './source-body.js';
import { refuseBeforeBody, sourceExtractContext } from './source-capture.js';

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

/** The capture outcome in Segment's words; 429 and 503 (Redis) as PostHog capture answers them. */
function answer(reply: FastifyReply, outcome: CaptureOutcome) {
  if (outcome.kind === 'accepted') return reply.code(200).send(accepted);
  switch (outcome.reason) {
    case 'unknown_api_key':
      return reply.code(401).send({
        success: false,
        error: 'unknown_write_key',
        message: "the write key is not this project's capture key",
      });
    case 'too_many_users':
      return reply.code(400).send({ success: false, error: outcome.reason, message: outcome.message });
    case 'cpu_budget':
      // 5xx: Segment's libraries retry it (4xx other than 429 are dropped); what was stored is not stored twice.
      return reply
        .code(503)
        .header('retry-after', '1')
        .send({ success: false, error: outcome.reason, message: outcome.message });
    default:
      return replyRefused(reply, outcome);
  }
}

/**
 * Segment-compatible capture: the HTTP Tracking API (`/segment/v1/track|page|screen|identify|group|
 * alias|batch`), analytics.js 2.0's own paths (`/segment/v1/t|p|s|i|g|a|b`, telemetry `/m`) and
 * RudderStack's SDKs, which speak the same protocol. The write key is a capture key, as Basic auth
 * user or `writeKey` in the body. Also `POST /webhooks/segment`, a "Webhooks (Actions)" destination.
 */
export async function segmentRoutes(
  app: FastifyInstance,
  options: {
    deps: ApiDependencies;
    capture: CaptureEntry;
    /** With SEGMENT_UPSTREAM the passthrough serves `/segment/v1/…`: only the webhook destination is here. */
    isForwarded?: boolean;
  },
) {
  const { deps, capture } = options;
  const { config } = deps;
  acceptRawBodies(app, segmentMaxBatchBytes);
  if (!options.isForwarded) allowBrowserOrigins(app, ['/segment/v1/:call']);
  app.setErrorHandler((error: FastifyError, _request, reply) => {
    if (error.code !== 'FST_ERR_CTP_BODY_TOO_LARGE') throw error;
    deps.metrics.eventsRefused.inc({ reason: 'too_large' });
    return reply.code(400).send({
      success: false,
      error: 'too_large',
      message: `body is larger than Segment's batch limit of ${segmentMaxBatchBytes} bytes`,
    });
  });

  const handleCall = async (request: FastifyRequest, reply: FastifyReply) => {
    const call = segmentCallOf((request.params as { call: string }).call);
    if (call === undefined) {
      return reply.code(404).send({ success: false, error: 'not_found', message: 'no such Segment call' });
    }
    const isBatch = call === 'batch';
    const decoded = decodeSourceBody(request, isBatch ? batchLimits : callLimits);
    const batch = decoded.ok
      ? extractSegmentEvents(
          decoded.payload,
          {
            ...sourceExtractContext(deps),
            bodyBytes: decoded.decodedBytes,
            ...(isBatch ? {} : { pathType: call }),
          },
          batchLimits,
        )
      : decoded;
    if (!batch.ok) {
      await capture.chargeRefused(request.ip);
      return refuse(reply, batch, deps);
    }
    const key = capture.keyOf(basicAuthUser(request) ?? batch.apiKey);
    const outcome = await capture.captureExtracted(
      { ...key, events: batch.events, skipped: batch.skipped.length },
      request.ip,
    );
    return answer(reply, outcome);
  };
  if (!options.isForwarded) {
    app.post('/segment/v1/:call', { onRequest: refuseBeforeBody(capture) }, handleCall);
    // analytics.js's metrics (`/m`): accepted and dropped.
    app.post('/segment/v1/m', async () => accepted);
  }

  app.post('/webhooks/segment', async (request, reply) => {
    const secret = config.capture.segmentWebhookSecret;
    if (!secret)
      return reply.code(404).send({ error: 'not_configured', message: 'SEGMENT_WEBHOOK_SECRET is not set' });
    const unavailable = capture.storageOut();
    if (unavailable?.kind === 'refused') return replyRefused(reply, unavailable);
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
      { ...sourceExtractContext(deps), bodyBytes: decoded.decodedBytes },
      batchLimits,
    );
    if (!batch.ok) return refuse(reply, batch, deps);
    // The destination is checked by its own secret: no per-IP limits, and no proof of who sent the events.
    const outcome = await capture.captureExtracted(
      { key: 'webhook', events: batch.events, skipped: batch.skipped.length },
      request.ip,
    );
    return answer(reply, outcome);
  });
}
