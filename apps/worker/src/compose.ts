import { openDeployment } from '@threadline/composition';
import type { Config } from '@threadline/config';
import { IntercomAdapter } from '@threadline/intercom';
import { createWorkerMetrics, type Logger, WorkspaceLabel } from '@threadline/observability';
import type { ThreadlineQueues } from '@threadline/queues';
import { RedisDeliveryStore, RedisSubscriptionStore, RedisSummaryStore } from '@threadline/redis-store';
import { OpenAiSummarizer } from '@threadline/summarizer';
import type { CaptureCopiesParts } from './capture-copies.js';
import { countedIntercom } from './counted-intercom.js';
import type { WorkerDependencies } from './dependencies.js';
import { gatedIntercom } from './gated-intercom.js';
import { workspaceIntercoms } from './workspace-intercoms.js';

export interface ComposedWorker {
  deps: WorkerDependencies;
  queues: ThreadlineQueues;
  /** What records the passthrough's copies, when an upstream is set (nothing is spooled otherwise). */
  captureCopies: CaptureCopiesParts | undefined;
  /** Closes queues then Redis; call after the workers are closed. Idempotent. */
  close(): Promise<void>;
}

/** Wires the worker's adapters from the config. */
export async function compose(config: Config, logger: Logger): Promise<ComposedWorker> {
  const accessToken = config.intercom.accessToken;
  if (!accessToken)
    throw new Error('INTERCOM_ACCESS_TOKEN: required by the worker (or start the stack with the sandbox)');
  const deployment = await openDeployment(config, {
    role: 'worker',
    readyTimeoutMs: 30_000,
    onError: (error) => logger.warn({ err: error }, 'redis connection error'),
  });
  const { redis, keys, queues } = deployment;
  // One retry: a summary waits for at most two LLM timeouts before the extractive summarizer writes it.
  const llmRetries = 1;
  const metrics = createWorkerMetrics({ labels: { service: 'worker' }, collectProcessMetrics: true });
  const { posthog, segment, amplitude } = config.upstreams;
  const hasUpstream = posthog !== undefined || segment !== undefined || amplitude !== undefined;
  const workspaceLabel = new WorkspaceLabel();
  // Each workspace's client: its own token and admin, counted under its label, behind its own gate.
  const intercoms = workspaceIntercoms({
    directory: deployment.workspaces,
    sendGateFor: queues.sendGateFor,
    buildClient: (workspace, settings, sendGate) => {
      const adapter = new IntercomAdapter({
        accessToken: settings.accessToken,
        baseUrl: settings.baseUrl,
        adminId: settings.adminId,
        timeoutMs: config.intercom.timeoutMs,
        // Not awaited: the headers steer later calls; a lost observation costs nothing.
        onRateLimit: (headers) =>
          void sendGate
            .observe(headers)
            .catch((error: unknown) =>
              logger.warn({ err: error }, 'could not record Intercom rate-limit headers'),
            ),
      });
      const counted = countedIntercom(adapter, metrics, workspaceLabel.of(workspace.productId));
      return gatedIntercom(counted, sendGate);
    },
  });
  return {
    queues,
    captureCopies: hasUpstream
      ? {
          config,
          logger,
          metrics,
          redis,
          keys,
          ...deployment.stores,
          deliveries: queues.deliveries,
        }
      : undefined,
    deps: {
      config,
      logger,
      connection: redis,
      ...deployment.stores,
      delivery: new RedisDeliveryStore(redis, keys),
      intercoms,
      deliveries: queues.deliveries,
      sendGate: queues.sendGate,
      requestSummary: queues.requestSummary,
      summaries: {
        store: new RedisSummaryStore(redis, keys),
        summarizer: config.summaries.openaiApiKey
          ? new OpenAiSummarizer({
              apiKey: config.summaries.openaiApiKey,
              baseUrl: config.summaries.openaiBaseUrl,
              model: config.summaries.openaiModel,
              timeoutMs: config.summaries.openaiTimeoutMs,
              maxRetries: llmRetries,
            })
          : null,
        llmRetries,
        metrics,
      },
      metrics,
      workspaceLabel,
      now: () => new Date(),
      subscriptions: new RedisSubscriptionStore(redis, keys),
    },
    close: deployment.close,
  };
}
