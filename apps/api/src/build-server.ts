import { randomUUID } from 'node:crypto';
import type { Config } from '@threadline/config';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import type { ApiDependencies } from './dependencies.js';
import { userActivityRoute } from './routes/activity/user-activity-route.js';
import { adminRoutes } from './routes/admin/admin-routes.js';
import { canvasRoutes } from './routes/canvas/canvas-routes.js';
import { createCaptureEntry } from './routes/capture/capture-entry.js';
import { captureRoutes } from './routes/capture/capture-routes.js';
import { type HealthState, healthRoutes } from './routes/health/health-routes.js';
import { mcpRoute } from './routes/mcp/mcp-route.js';
import { metricsRoute } from './routes/metrics/metrics-route.js';
import { oauthRoutes } from './routes/oauth/oauth-routes.js';
import { posthogWebhookThrough, startCaptureCopy } from './routes/passthrough/capture-copy-app.js';
import { passthroughRoutes } from './routes/passthrough/passthrough-routes.js';
import { posthogUpstream } from './routes/passthrough/upstream-definition.js';
import { amplitudeRoutes } from './routes/sources/amplitude-routes.js';
import { segmentRoutes } from './routes/sources/segment-routes.js';
import { streamRoute } from './routes/stream/stream-route.js';
import { intercomWebhookRoute } from './routes/webhooks/intercom-webhook-route.js';

export interface ThreadlineServer {
  app: FastifyInstance;
  health: HealthState;
}

const clientErrorMessages: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'the request body is larger than this route accepts',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'the request body is empty',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'this content type is not accepted here',
};

/**
 * TRUST_PROXY as Fastify takes it. A hop count trusts that many proxies nearest to us (Fastify's
 * types leave out the number its runtime accepts, so it is spelled as the function it stands for).
 */
function trustedProxies(
  setting: Config['trustProxy'],
): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof setting !== 'number') return setting;
  return (_address, hop) => hop < setting;
}

/**
 * The HTTP app, without env, listen or signals: main.ts owns those, tests call this and `inject`.
 * Each area is a plugin, so a body parser or hook stays scoped to its own routes.
 */
export async function buildServer(deps: ApiDependencies): Promise<ThreadlineServer> {
  const health: HealthState = { isShuttingDown: false };
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
    },
    trustProxy: trustedProxies(deps.config.trustProxy),
    return503OnClosing: true,
    // `/batch` and `/batch/` are one route (posthog-js posts with the slash, other clients without).
    routerOptions: { ignoreTrailingSlash: true },
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    // A request that failed because Redis went away is the client's to retry, not a bug.
    if (status >= 500 && !deps.isRedisConnected()) {
      request.log.warn({ err: error }, 'request failed: redis unavailable');
      return reply
        .code(503)
        .header('retry-after', '1')
        .send({ error: 'redis_unavailable', message: 'storage is unreachable; retry shortly' });
    }
    // The client hung up while an upstream's answer was streamed to it (passthrough): nothing failed here.
    if (error.code === 'UND_ERR_ABORTED' && request.raw.destroyed) {
      request.log.debug({ err: error }, 'client went away during the answer');
      reply.raw.destroy();
      return reply;
    }
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return reply
        .code(status)
        .send({ error: 'internal', message: 'something went wrong; the request can be retried' });
    }
    const message = (error.code && clientErrorMessages[error.code]) ?? error.message;
    return reply.code(status).send({ error: error.code ?? 'bad_request', message });
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send({ error: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` }),
  );

  await app.register(healthRoutes, { deps, state: health });
  // One capture per app: every route that feeds it (capture, the passthrough's copy) shares its refusals.
  const capture = createCaptureEntry(deps);
  const { upstreams } = deps.config;
  if (upstreams.posthog) {
    // Passthrough: PostHog answers posthog-js; Threadline records a copy through the same capture.
    const copy = await startCaptureCopy(deps, capture);
    await app.register(passthroughRoutes, {
      upstreams: [posthogUpstream(upstreams.posthog)],
      recordCopy: copy.record,
      timeoutMs: upstreams.timeoutMs,
      logger: deps.logger,
      closeRecorder: () => copy.close(),
    });
    await app.register(posthogWebhookThrough, { capture: copy });
  } else {
    await app.register(captureRoutes, { deps, capture });
  }
  await app.register(segmentRoutes, { deps, capture });
  await app.register(amplitudeRoutes, { deps, capture });
  await app.register(intercomWebhookRoute, { deps });
  // With METRICS_PORT, /metrics is served on that listener only (main.ts); without it, here, to local scrapes.
  if (deps.config.metricsPort === undefined) await app.register(metricsRoute, { deps, isLocalOnly: true });
  await app.register(adminRoutes, { deps });
  await app.register(mcpRoute, { deps });
  await app.register(userActivityRoute, { deps });
  await app.register(streamRoute, { deps });
  await app.register(canvasRoutes, { deps });
  await app.register(oauthRoutes, { deps });
  return { app, health };
}
