import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { ApiDependencies } from './dependencies.js';
import { type HealthState, healthRoutes } from './routes/health/health-routes.js';
import { metricsRoute } from './routes/metrics/metrics-route.js';

/**
 * The METRICS_PORT listener: `/metrics`, `/readyz` and `/healthz`, for a private network. Not
 * listening yet (main.ts does that). Scrapes are not request-logged: one every few seconds is noise.
 */
export async function buildMetricsServer(
  deps: ApiDependencies,
  health: HealthState,
): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger.child({ listener: 'metrics' }) as FastifyBaseLogger,
    disableRequestLogging: true,
    return503OnClosing: true,
  });
  await app.register(metricsRoute, { deps, isLocalOnly: false });
  await app.register(healthRoutes, { deps, state: health });
  return app;
}
