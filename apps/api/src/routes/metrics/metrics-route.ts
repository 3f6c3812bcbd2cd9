import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiDependencies } from '../../dependencies.js';

const jobStates = ['waiting', 'active', 'delayed', 'failed', 'completed', 'paused'] as const;

/**
 * A scrape from this machine: the TCP peer is loopback and no proxy forwarded the request. The socket
 * address, not `request.ip`: with a trusted proxy `request.ip` comes from `X-Forwarded-For`, which any
 * client writes; and a proxy on this machine connects from loopback, so a forwarding header means the
 * request came from outside.
 */
export function isLocalRequest(request: FastifyRequest): boolean {
  const peer = request.raw.socket.remoteAddress ?? '';
  const isLoopback = peer === '::1' || /^(::ffff:)?127\./.test(peer);
  const headers = request.headers;
  return isLoopback && !headers['x-forwarded-for'] && !headers.forwarded && !headers['x-real-ip'];
}

/**
 * `GET /metrics`: Prometheus text. Queue depths are read from Redis at scrape time. On the API port
 * (no METRICS_PORT) it answers only to local scrapes, 404 to anyone else; on the METRICS_PORT
 * listener, to everyone who can reach that port.
 */
export async function metricsRoute(
  app: FastifyInstance,
  options: { deps: ApiDependencies; isLocalOnly: boolean },
) {
  const { metrics, queues, captureSpool, workspaces, workspaceLabel } = options.deps;
  app.get('/metrics', async (request, reply) => {
    if (options.isLocalOnly && !isLocalRequest(request)) return reply.callNotFound();
    for (const queue of Object.values(queues.queues)) {
      const counts = await queue.getJobCounts(...jobStates);
      for (const state of jobStates) metrics.queueJobs.set({ queue: queue.name, state }, counts[state] ?? 0);
    }
    // Per workspace label; the workspaces past the label cap share `other` (1 while any of them is paused).
    const paused = new Map<string, number>();
    for (const workspace of await workspaces.list()) {
      const label = workspaceLabel.of(workspace.productId);
      const isPaused = (await queues.sendGateFor(workspace.productId).paused()) !== null;
      paused.set(label, Math.max(paused.get(label) ?? 0, isPaused ? 1 : 0));
    }
    for (const [workspace, value] of paused) metrics.noteSendingPaused.set({ workspace }, value);
    // The passthrough's copies not yet recorded by a worker (0 and 0 without an upstream).
    const backlog = await captureSpool.backlog();
    metrics.spoolBacklog.set({ state: 'waiting' }, backlog.waiting);
    metrics.spoolBacklog.set({ state: 'in_flight' }, backlog.inFlight);
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}
