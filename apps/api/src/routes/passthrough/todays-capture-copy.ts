import type { IncomingHttpHeaders } from 'node:http';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { ApiDependencies } from '../../dependencies.js';
import { captureRoutes } from '../capture/capture-routes.js';
import type { CaptureCopyOutcome, RecordCaptureCopy } from './capture-copy.js';

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

export interface TodaysCaptureCopy {
  record: RecordCaptureCopy;
  /** The capture routes behind the copy (for the PostHog webhook destination, served as without an upstream). */
  app: FastifyInstance;
  close(): Promise<void>;
}

/**
 * RecordCaptureCopy over today's capture routes: the copy is replayed (`inject`, no socket) into a
 * private app that has only them, with the client's IP. Capture's decoding, key check, limits,
 * identity rules and uuid dedupe apply as to a direct request; its answer is the outcome.
 */
export async function startTodaysCaptureCopy(deps: ApiDependencies): Promise<TodaysCaptureCopy> {
  const app = Fastify({ loggerInstance: deps.logger.child({ part: 'capture-copy' }) as FastifyBaseLogger });
  await app.register(captureRoutes, { deps });
  await app.ready();
  const record: RecordCaptureCopy = async (copy) => {
    try {
      const response = await app.inject({
        method: copy.method === 'GET' ? 'GET' : 'POST',
        url: `${copy.path}${copy.query}`,
        headers: replayHeaders(copy.headers),
        remoteAddress: copy.ip,
        ...(copy.method === 'GET' ? {} : { payload: copy.rawBody }),
      });
      if (response.statusCode === 200) return { outcome: 'stored' };
      const code = (response.json() as { error?: string }).error ?? 'unknown';
      return { outcome: 'refused', status: response.statusCode, code } satisfies CaptureCopyOutcome;
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
export async function posthogWebhookThrough(app: FastifyInstance, options: { capture: TodaysCaptureCopy }) {
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
