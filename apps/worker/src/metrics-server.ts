import { createServer, type Server } from 'node:http';
import type { WorkerMetrics } from '@threadline/observability';

export interface MetricsServer {
  close(): Promise<void>;
}

/**
 * The worker has no HTTP API; this serves its Prometheus metrics (`/metrics`) and liveness
 * (`/healthz`) on a port of its own, so each worker process can be scraped.
 */
export async function startMetricsServer(options: {
  port: number;
  host: string;
  metrics: WorkerMetrics;
}): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method === 'GET' && path === '/metrics') {
      options.metrics.registry.metrics().then(
        (text) => {
          response.writeHead(200, { 'content-type': options.metrics.registry.contentType });
          response.end(text);
        },
        () => {
          response.writeHead(500).end();
        },
      );
      return;
    }
    if (request.method === 'GET' && path === '/healthz') {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  let closing: Promise<void> | undefined;
  return {
    close() {
      closing ??= new Promise((resolve) => server.close(() => resolve()));
      return closing;
    },
  };
}
