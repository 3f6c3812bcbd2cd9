import type { FastifyInstance } from 'fastify';
import type { ApiDependencies } from '../../dependencies.js';

const jobStates = ['waiting', 'active', 'delayed', 'failed', 'completed', 'paused'] as const;

/** `GET /metrics`: Prometheus text. Queue depths are read from Redis at scrape time. */
export async function metricsRoute(app: FastifyInstance, options: { deps: ApiDependencies }) {
  const { metrics, queues } = options.deps;
  app.get('/metrics', async (_request, reply) => {
    for (const queue of Object.values(queues.queues)) {
      const counts = await queue.getJobCounts(...jobStates);
      for (const state of jobStates) metrics.queueJobs.set({ queue: queue.name, state }, counts[state] ?? 0);
    }
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}
