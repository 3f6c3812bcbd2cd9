import {
  type AmplitudeRefusal,
  amplitudeMaxBodyBytes,
  type CaptureFailure,
  type CaptureLimits,
  defaultCaptureLimits,
  extractAmplitudeEvents,
} from '@threadline/capture';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiDependencies } from '../../dependencies.js';
import { captureClientOf, refuseOverQuota } from '../capture/capture-guards.js';
import { captureKeyOf } from '../capture/capture-routes.js';
import { createSourceCapture, refusedRequestCost } from './capture-source-events.js';
import { acceptRawBodies, allowBrowserOrigins, decodeSourceBody } from './source-body.js';

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
 * Amplitude HTTP V2 compatible capture (`/amplitude/2/httpapi`, `/amplitude/batch`): what the
 * Amplitude browser and node SDKs send with `serverUrl: '<host>/amplitude/2/httpapi'`. The
 * `api_key` in the body is a capture key; answers are Amplitude's (`{"code":200,"events_ingested":n,…}`).
 */
export async function amplitudeRoutes(app: FastifyInstance, options: { deps: ApiDependencies }) {
  const { deps } = options;
  const { config } = deps;
  const sources = createSourceCapture(deps);
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

  const capture = async (request: FastifyRequest, reply: FastifyReply) => {
    const client = captureClientOf(request.ip);
    const decoded = decodeSourceBody(request, limits);
    const batch = decoded.ok
      ? extractAmplitudeEvents(
          decoded.payload,
          {
            now: deps.now(),
            ...(config.capture.identity !== 'off' && config.capture.identitySecret
              ? { identitySecret: config.capture.identitySecret }
              : {}),
          },
          limits,
        )
      : decoded;
    if (!batch.ok) {
      await sources.chargeRefused(client, refusedRequestCost);
      return refuse(reply, batch, deps);
    }
    const key = captureKeyOf(batch.apiKey, config);
    if (!key) {
      await sources.chargeRefused(client, refusedRequestCost);
      deps.metrics.eventsRefused.inc({ reason: 'unknown_api_key' });
      return reply.code(400).send({ code: 400, error: 'Invalid API key', missing_field: null });
    }
    if (batch.skipped.length > 0) deps.metrics.eventsRefused.inc({ reason: 'skipped' }, batch.skipped.length);
    const outcome = await sources.captureSourceEvents({ events: batch.events, key, client });
    switch (outcome.kind) {
      case 'stored':
        return reply.code(200).send({
          code: 200,
          // Every event of the request was taken (stored, or known already, or carrying nothing to show).
          events_ingested: batch.received,
          payload_size_bytes: Buffer.isBuffer(request.body) ? request.body.length : 0,
          server_upload_time: deps.now().getTime(),
        });
      case 'over_quota':
        return refuseOverQuota(reply, outcome.decision, deps.metrics);
      case 'too_many_users':
        return reply.code(413).send({
          code: 413,
          error: 'Payload too large',
          message: `one request may carry the events of at most ${outcome.limit} users (CAPTURE_MAX_USERS_PER_REQUEST)`,
        });
      case 'cpu_budget':
        // Amplitude's SDKs split a batch answered 413 and send the halves again; stored events are not stored twice.
        return reply.code(413).send({
          code: 413,
          error: 'Payload too large',
          message: `the last ${outcome.notStored} of ${outcome.total} events were not stored: describing them took longer than CAPTURE_CPU_BUDGET_MS`,
        });
    }
  };
  for (const path of amplitudePaths) app.post(path, { onRequest: sources.guardBeforeBody }, capture);
}
