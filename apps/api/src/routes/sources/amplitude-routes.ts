import {
  type AmplitudeRefusal,
  amplitudeMaxBodyBytes,
  type CaptureFailure,
  type CaptureLimits,
  defaultCaptureLimits,
  extractAmplitudeEvents,
} from '@threadline/capture';
import type { CaptureOutcome } from '@threadline/core';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiDependencies } from '../../dependencies.js';
import type { CaptureEntry } from '../capture/capture-entry.js';
import { captureStatus, replyRefused } from '../capture/capture-routes.js';
import { acceptRawBodies, allowBrowserOrigins, decodeSourceBody } from './source-body.js';
import { refuseBeforeBody, sourceExtractContext } from './source-capture.js';

const limits: CaptureLimits = {
  ...defaultCaptureLimits,
  maxBodyBytes: amplitudeMaxBodyBytes,
  maxDecodedBytes: amplitudeMaxBodyBytes,
};

export const amplitudePaths = ['/amplitude/2/httpapi', '/amplitude/batch'] as const;

/** Amplitude's own error body: `code`, `error`, and which field or events were wrong. */
function refuse(reply: FastifyReply, failure: CaptureFailure | AmplitudeRefusal, deps: ApiDependencies) {
  deps.metrics.eventsRefused.inc({ reason: failure.code });
  const status = failure.code === 'too_large' ? 413 : 400;
  const body: Record<string, unknown> = {
    code: status,
    error: status === 413 ? 'Payload too large' : failure.message,
  };
  if (status === 413) body.message = failure.message;
  if ('missingField' in failure && failure.missingField) body.missing_field = failure.missingField;
  if ('eventsWithMissingFields' in failure && failure.eventsWithMissingFields)
    body.events_with_missing_fields = failure.eventsWithMissingFields;
  return reply.code(status).send(body);
}

/**
 * A refused capture outcome in Amplitude's words: its 400 for a wrong key, its 413 (too many users,
 * over the CPU budget: the SDKs split a batch answered 413 and send the halves again; stored events
 * are not stored twice); 429 and 503 as PostHog capture answers them.
 */
function answerRefused(reply: FastifyReply, outcome: Extract<CaptureOutcome, { kind: 'refused' }>) {
  if (outcome.reason === 'unknown_api_key')
    return reply.code(400).send({ code: 400, error: 'Invalid API key', missing_field: null });
  const { status } = captureStatus(outcome);
  if (status === 413)
    return reply.code(413).send({ code: 413, error: 'Payload too large', message: outcome.message });
  return replyRefused(reply, outcome);
}

/**
 * Amplitude HTTP V2 compatible capture (`/amplitude/2/httpapi`, `/amplitude/batch`): what the
 * Amplitude browser and node SDKs send with `serverUrl: '<host>/amplitude/2/httpapi'`. The
 * `api_key` in the body is a capture key; answers are Amplitude's (`{"code":200,"events_ingested":n,…}`).
 */
export async function amplitudeRoutes(
  app: FastifyInstance,
  options: { deps: ApiDependencies; capture: CaptureEntry },
) {
  const { deps, capture } = options;
  acceptRawBodies(app, amplitudeMaxBodyBytes);
  allowBrowserOrigins(app, amplitudePaths);
  app.setErrorHandler((error: FastifyError, _request, reply) => {
    if (error.code !== 'FST_ERR_CTP_BODY_TOO_LARGE') throw error;
    deps.metrics.eventsRefused.inc({ reason: 'too_large' });
    return reply.code(413).send({
      code: 413,
      error: 'Payload too large',
      message: `body is larger than ${amplitudeMaxBodyBytes} bytes`,
    });
  });

  const handle = async (request: FastifyRequest, reply: FastifyReply) => {
    const decoded = decodeSourceBody(request, limits);
    const batch = decoded.ok
      ? extractAmplitudeEvents(decoded.payload, sourceExtractContext(deps), limits)
      : decoded;
    if (!batch.ok) {
      await capture.chargeRefused(request.ip);
      return refuse(reply, batch, deps);
    }
    const outcome = await capture.captureExtracted(
      { ...capture.keyOf(batch.apiKey), events: batch.events, skipped: batch.skipped.length },
      request.ip,
    );
    if (outcome.kind === 'refused') return answerRefused(reply, outcome);
    return reply.code(200).send({
      code: 200,
      // Every event of the request was taken (stored, or known already, or carrying nothing to show).
      events_ingested: batch.received,
      payload_size_bytes: Buffer.isBuffer(request.body) ? request.body.length : 0,
      server_upload_time: deps.now().getTime(),
    });
  };
  for (const path of amplitudePaths) app.post(path, { onRequest: refuseBeforeBody(capture) }, handle);
}
