export { createLogger, type Logger, type LoggerSettings, redactedLogPaths } from './create-logger.js';
