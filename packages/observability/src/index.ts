export { createLogger, type Logger, type LoggerSettings, redactedLogPaths } from './create-logger.js';
export {
  type ApiMetrics,
  apiMetricKeys,
  createApiMetrics,
  createMetrics,
  createWorkerMetrics,
  type Metrics,
  type MetricsOptions,
  type WorkerMetrics,
  workerMetricKeys,
} from './metrics.js';
export {
  defaultMaxWorkspaceLabels,
  otherWorkspaceLabel,
  WorkspaceLabel,
} from './workspace-label.js';
