import type { IncomingHttpHeaders } from 'node:http';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { ApiDependencies } from '../../dependencies.js';
import type { CaptureEntry } from '../capture/capture-entry.js';
import { captureRoutes, captureStatus } from '../capture/capture-routes.js';
import type { RecordCaptureCopy } from './capture-copy.js';

/** Headers of the client's request that mean nothing to a replay inside this process. */
const droppedHeaders = new Set([
  'host',
  'connection',
  'content-length',
  'transfer-encoding',
  'cookie',
  'forwarded',
  'x-forwarded-for',
  'x-real-ip',
]);

function replayHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const kept: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !droppedHeaders.has(name)) kept[name] = value;
  }
  return kept;
}

export interface CaptureCopyApp {
  record: RecordCaptureCopy;
  /** The capture routes behind the copy (for the PostHog webhook destination, served as without an upstream). */
  app: FastifyInstance;
  close(): Promise<void>;
}

/**
 * RecordCaptureCopy over the app's capture use case (`CaptureEntry`): the bytes the proxy forwarded
 * go through the same decoding, key check, limits, identity rules and uuid dedupe as a direct request.
 * The private app holds the capture routes only for `POST /webhooks/posthog` in this mode.
 */
export async function startCaptureCopy(
  deps: ApiDependencies,
  capture: CaptureEntry,
): Promise<CaptureCopyApp> {
  const app = Fastify({ loggerInstance: deps.logger.child({ part: 'capture-copy' }) as FastifyBaseLogger });
  await app.register(captureRoutes, { deps, capture });
  await app.ready();
  const record: RecordCaptureCopy = async (copy) => {
    try {
      const outcome = await capture.capture({
        body: copy.method === 'GET' ? undefined : copy.rawBody,
        headers: copy.headers,
        query: Object.fromEntries(new URLSearchParams(copy.query)),
        ip: copy.ip,
      });
      if (outcome.kind === 'accepted') return { outcome: 'stored' };
      return { outcome: 'refused', status: captureStatus(outcome).status, code: outcome.reason };
    } catch (error) {
      return { outcome: 'failed', error };
    }
  };
  return { record, app, close: () => app.close() };
}

/**
 * `POST /webhooks/posthog` in passthrough mode: the capture routes live in the copy's app there, so
 * the destination's requests are answered by it, unchanged.
 */
export async function posthogWebhookThrough(app: FastifyInstance, options: { capture: CaptureCopyApp }) {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 1024 * 1024 }, (_request, body, done) =>
    done(null, body),
  );
  app.post('/webhooks/posthog', async (request, reply) => {
    const response = await options.capture.app.inject({
      method: 'POST',
      url: '/webhooks/posthog',
      headers: replayHeaders(request.headers),
      remoteAddress: request.ip,
      ...(Buffer.isBuffer(request.body) ? { payload: request.body } : {}),
    });
    return reply
      .code(response.statusCode)
      .type(String(response.headers['content-type'] ?? 'application/json'))
      .send(response.rawPayload);
  });
}
