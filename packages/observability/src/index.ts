export { createLogger, type Logger, type LoggerSettings, redactedLogPaths } from './create-logger.js';
export { createMetrics, type Metrics, type MetricsOptions } from './metrics.js';
