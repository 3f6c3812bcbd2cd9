import type { IncomingHttpHeaders } from 'node:http';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { ApiDependencies } from '../../dependencies.js';
import type { CaptureEntry } from '../capture/capture-entry.js';
import { captureRoutes } from '../capture/capture-routes.js';
import type { RecordCaptureCopy } from './capture-copy.js';
import { startCaptureSpooling } from './spool-capture-copy.js';

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
  /** The capture routes (for the PostHog webhook destination, served as without an upstream). */
  app: FastifyInstance;
  close(): Promise<void>;
}

/**
 * RecordCaptureCopy for this API: each copy is spooled (one `XADD` of the bytes the proxy forwarded)
 * and a worker records it through the capture use case, with the same decoding, key check, limits,
 * identity rules and uuid / messageId / insert_id dedupe as a direct request. The private app holds
 * the capture routes only for `POST /webhooks/posthog` in this mode.
 */
export async function startCaptureCopy(
  deps: ApiDependencies,
  capture: CaptureEntry,
): Promise<CaptureCopyApp> {
  const app = Fastify({ loggerInstance: deps.logger.child({ part: 'capture-copy' }) as FastifyBaseLogger });
  await app.register(captureRoutes, { deps, capture });
  await app.ready();
  const spooling = await startCaptureSpooling({
    spool: deps.captureSpool,
    bound: deps.config.upstreams.spool,
    keys: { apiKey: deps.config.capture.apiKey, serverKey: deps.config.capture.serverKey },
    metrics: deps.metrics,
    logger: deps.logger,
  });
  return {
    record: spooling.record,
    app,
    close: async () => {
      spooling.stop();
      await app.close();
    },
  };
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
