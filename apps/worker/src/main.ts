import { loadConfigOrThrow, readConfigSources } from '@threadline/config';
import { createLogger } from '@threadline/observability';
import closeWithGrace from 'close-with-grace';
import { startCaptureCopies } from './capture-copies.js';
import { compose } from './compose.js';
import { startMetricsServer } from './metrics-server.js';
import { startWorkers } from './start-workers.js';

async function start(): Promise<void> {
  // The environment, then .env, then a running start command's defaults: as every process reads them.
  const config = loadConfigOrThrow(readConfigSources(process.env, process.cwd()).values, 'worker');
  const logger = createLogger({ level: config.logLevel, bindings: { service: 'worker' } });
  const composed = await compose(config, logger);
  const running = startWorkers(composed.deps);
  const copies = composed.captureCopies ? await startCaptureCopies(composed.captureCopies) : undefined;
  const metricsPort = config.worker.metricsPort;
  const metricsServer = metricsPort
    ? await startMetricsServer({ port: metricsPort, host: config.host, metrics: composed.deps.metrics })
    : undefined;
  logger.info(
    {
      concurrency: config.worker.concurrency,
      queues: running.workers.map((worker) => worker.name),
      ...(copies ? { captureSpool: 'recording' } : {}),
      ...(metricsPort ? { metrics: `http://${config.host}:${metricsPort}/metrics` } : {}),
    },
    'worker started',
  );

  // First signal: stop taking jobs and finish those in flight, then close queues and Redis and flush
  // logs. A second signal (or the timeout) forces the exit; unfinished jobs are picked up again as stalled.
  closeWithGrace({ delay: config.shutdownTimeoutMs }, async ({ signal, err }) => {
    if (err) logger.error({ err }, 'shutting down after an error');
    else logger.info({ signal }, 'shutting down');
    await copies?.close();
    await running.close();
    await metricsServer?.close();
    await composed.close();
    logger.flush();
  });
}

// An invalid config or a failed start: one message, exit 1.
await start().catch((error: Error) => {
  console.error(`threadline-worker: ${error.message}`);
  process.exit(1);
});
