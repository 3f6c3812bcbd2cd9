import type { Config } from '@threadline/config';
import type {
  ActivityStore,
  DeliveryScheduler,
  DeliveryStore,
  IdentityStore,
  IntercomSendGate,
  LinkStore,
  ProductFeed,
  SubscriptionStore,
  Summarizer,
  SummaryStore,
} from '@threadline/core';
import type { Logger, Metrics, WorkerMetrics, WorkspaceLabel } from '@threadline/observability';
import type { ConnectionOptions } from 'bullmq';
import type { WorkspaceIntercoms } from './workspace-intercoms.js';

/** What the job processors need, built by compose() in production and by tests. */
export interface WorkerDependencies {
  config: Config;
  logger: Logger;
  /** A connection BullMQ workers may block on (`maxRetriesPerRequest: null`). */
  connection: ConnectionOptions;
  activity: ActivityStore;
  links: LinkStore;
  /** Present only with LINK_BY_EMAIL. */
  identities: IdentityStore | undefined;
  delivery: DeliveryStore;
  /** Each product's workspace: its Intercom client (its token and admin) and its send gate. */
  intercoms: WorkspaceIntercoms;
  deliveries: DeliveryScheduler;
  /** The PRODUCT_ID workspace's send gate (what a job answers with before it knows its workspace). */
  sendGate: IntercomSendGate;
  /** Asks for a summary check of the conversation (after a delivery posted notes); debounced. */
  requestSummary(conversationId: string): Promise<void>;
  summaries: SummaryDependencies;
  metrics: WorkerMetrics;
  /** The `workspace` label of the metrics (a bounded number of values, then `other`). */
  workspaceLabel: WorkspaceLabel;
  now(): Date;
  /** Each product's feed of new actions: what push batches are formed from. */
  productFeed: ProductFeed;
  /** Push webhook subscriptions (`threadline subscriptions`). */
  subscriptions: SubscriptionStore;
}

/** What summaries need on top of the delivery dependencies. */
export interface SummaryDependencies {
  store: SummaryStore;
  /** The LLM writer; null without OPENAI_API_KEY (the extractive summarizer writes). */
  summarizer: Summarizer | null;
  /** Retries of one LLM call after the first attempt (how long the summary lock must last depends on it). */
  llmRetries: number;
  /** Counted when present: `summaries` by writer, `llmErrors` by reason. */
  metrics?: Pick<Metrics, 'summaries' | 'llmErrors'> | undefined;
}
