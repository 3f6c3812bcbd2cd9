import { loadConfigOrThrow, readConfigSources } from '@threadline/config';
import { createLogger } from '@threadline/observability';
import closeWithGrace from 'close-with-grace';
import { buildServer } from './build-server.js';
import { compose } from './compose.js';
import { buildMetricsServer } from './metrics-server.js';

async function start(): Promise<void> {
  // The environment, then .env, then a running start command's defaults: as every process reads them.
  const config = loadConfigOrThrow(readConfigSources(process.env, process.cwd()).values, 'api');
  const logger = createLogger({ level: config.logLevel, bindings: { service: 'api' } });
  const composed = await compose(config, logger);
  const { app, health } = await buildServer(composed.deps);
  const metricsApp =
    config.metricsPort === undefined ? undefined : await buildMetricsServer(composed.deps, health);

  // First signal: stop taking work, finish in-flight requests, close queues and Redis, flush logs.
  // A second signal (or the timeout) forces the exit.
  closeWithGrace({ delay: config.shutdownTimeoutMs }, async ({ signal, err }) => {
    if (err) logger.error({ err }, 'shutting down after an error');
    else logger.info({ signal }, 'shutting down');
    health.isShuttingDown = true;
    await app.close();
    await metricsApp?.close();
    await composed.close();
    logger.flush();
  });

  await app.listen({ host: config.host, port: config.port });
  if (metricsApp) await metricsApp.listen({ host: config.host, port: config.metricsPort });
}

// An invalid config or a failed start (Redis unreachable, the port taken): one message, exit 1.
await start().catch((error: Error) => {
  console.error(`threadline-api: ${error.message}`);
  process.exit(1);
});
