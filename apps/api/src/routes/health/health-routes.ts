import type { FastifyInstance } from 'fastify';
import type { ApiDependencies } from '../../dependencies.js';

export interface HealthState {
  /** Set when shutdown begins: readiness fails so load balancers stop sending work. */
  isShuttingDown: boolean;
}

export async function healthRoutes(
  app: FastifyInstance,
  options: { deps: ApiDependencies; state: HealthState },
) {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    if (options.state.isShuttingDown) return reply.code(503).send({ status: 'shutting_down' });
    const redis = await options.deps.isRedisReady().catch(() => false);
    if (!redis) return reply.code(503).send({ status: 'unavailable', redis: 'unreachable' });
    return { status: 'ready', redis: 'ok' };
  });
}
