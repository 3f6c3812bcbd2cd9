import type { Config } from '@threadline/config';
import type { CaptureSettings } from '@threadline/core';

/** What capture reads from the configuration, the same wherever it runs (the API, a worker's spool). */
export interface CaptureConfiguration {
  settings: CaptureSettings;
  /** CAPTURE_API_KEY and CAPTURE_SERVER_KEY. */
  keys: { apiKey: string | undefined; serverKey: string | undefined };
  /** The identity secret, only when something uses the answer (CAPTURE_IDENTITY is not `off`). */
  identitySecret: string | undefined;
}

export function captureConfiguration(config: Config, maxEventsPerBatch: number): CaptureConfiguration {
  const { capture } = config;
  return {
    settings: {
      productId: config.productId,
      identity: capture.identity,
      maxUsersPerRequest: capture.maxUsersPerRequest,
      cpuBudgetMs: capture.cpuBudgetMs,
      maxEventsPerBatch,
    },
    keys: { apiKey: capture.apiKey, serverKey: capture.serverKey },
    identitySecret: capture.identity === 'off' ? undefined : capture.identitySecret,
  };
}
