import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Every Prometheus metric Threadline exposes (`threadline_*`), in one registry per process, passed
 * down to whatever counts. Label values are fixed sets (outcomes, statuses), never user data; the
 * `workspace` label is a product id, bounded by `WorkspaceLabel` (a cap, then `other`).
 */
export interface Metrics {
  registry: Registry;
  eventsAccepted: Counter<never>;
  eventsRefused: Counter<'reason'>;
  webhookDeliveries: Counter<'topic' | 'outcome' | 'workspace'>;
  links: Counter<'outcome' | 'workspace'>;
  notesPosted: Counter<'workspace'>;
  actionsPosted: Counter<'workspace'>;
  intercomCalls: Counter<'operation' | 'status' | 'workspace'>;
  eventToNoteSeconds: Histogram<'workspace'>;
  queueJobs: Gauge<'queue' | 'state'>;
  summaries: Counter<'writer'>;
  llmErrors: Counter<'reason'>;
  /** Redis `used_memory` / `maxmemory` (0 when no maxmemory is set), as the API last read it. */
  redisMemoryRatio: Gauge<never>;
  /** 1 while note sending is paused after an Intercom 401/403 (read from Redis when scraped), else 0. */
  noteSendingPaused: Gauge<'workspace'>;
  /** The capture spool's copies, `waiting` (not taken) and `in_flight` (being recorded), read when scraped. */
  spoolBacklog: Gauge<'state'>;
  /** Spooled copies a worker handled, by what became of them. */
  copiesRecorded: Counter<'source' | 'outcome'>;
}

/** What the API counts itself, or reads from Redis when scraped (queue depths, the pause). */
export const apiMetricKeys = [
  'eventsAccepted',
  'eventsRefused',
  'webhookDeliveries',
  'queueJobs',
  'redisMemoryRatio',
  'noteSendingPaused',
  'spoolBacklog',
] as const satisfies readonly (keyof Metrics)[];

/** What only the worker counts: links, notes, Intercom calls, latency, summaries, the passthrough's copies. */
export const workerMetricKeys = [
  'links',
  'notesPosted',
  'actionsPosted',
  'intercomCalls',
  'eventToNoteSeconds',
  'summaries',
  'llmErrors',
  'copiesRecorded',
] as const satisfies readonly (keyof Metrics)[];

/** The API's registry: nothing another process counts, so no series reads 0 for work done elsewhere. */
export type ApiMetrics = Pick<Metrics, 'registry' | (typeof apiMetricKeys)[number]>;
/** A worker's registry. */
export type WorkerMetrics = Pick<Metrics, 'registry' | (typeof workerMetricKeys)[number]>;

export interface MetricsOptions {
  /** Bound to every series, e.g. `{ service: 'api' }`. */
  labels?: Record<string, string>;
  /** Process metrics (CPU, memory, event loop lag); off in tests to keep registries cheap. */
  collectProcessMetrics?: boolean;
}

/** The API's metrics, registered alone in a registry of their own. */
export function createApiMetrics(options: MetricsOptions = {}): ApiMetrics {
  return createMetricsOf(apiMetricKeys, options);
}

/** A worker's metrics, registered alone in a registry of their own. */
export function createWorkerMetrics(options: MetricsOptions = {}): WorkerMetrics {
  return createMetricsOf(workerMetricKeys, options);
}

function createMetricsOf<K extends keyof Omit<Metrics, 'registry'>>(
  keys: readonly K[],
  options: MetricsOptions,
): Pick<Metrics, 'registry' | K> {
  const all = createMetrics({ ...options, collectProcessMetrics: false });
  const registry = new Registry();
  if (options.labels) registry.setDefaultLabels(options.labels);
  if (options.collectProcessMetrics) collectDefaultMetrics({ register: registry, prefix: 'threadline_' });
  const picked = { registry } as Pick<Metrics, 'registry' | K>;
  for (const key of keys) {
    const metric = all[key];
    registry.registerMetric(metric);
    (picked as Record<string, unknown>)[key] = metric;
  }
  return picked;
}

/** Every metric in one registry (tests, and the metric catalogue of the Grafana dashboard's test). */
export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.labels) registry.setDefaultLabels(options.labels);
  if (options.collectProcessMetrics) collectDefaultMetrics({ register: registry, prefix: 'threadline_' });
  const registers = [registry];
  return {
    registry,
    eventsAccepted: new Counter({
      name: 'threadline_events_accepted_total',
      help: 'Capture events accepted and stored as actions',
      registers,
    }),
    eventsRefused: new Counter({
      name: 'threadline_events_refused_total',
      help: 'Capture requests or events refused, by reason',
      labelNames: ['reason'],
      registers,
    }),
    webhookDeliveries: new Counter({
      name: 'threadline_webhook_deliveries_total',
      help: 'Intercom webhook deliveries, by topic and outcome (and workspace, once routed)',
      labelNames: ['topic', 'outcome', 'workspace'],
      registers,
    }),
    links: new Counter({
      name: 'threadline_links_total',
      help: 'Conversation link attempts, by outcome and workspace',
      labelNames: ['outcome', 'workspace'],
      registers,
    }),
    notesPosted: new Counter({
      name: 'threadline_notes_posted_total',
      help: 'Internal notes posted, by workspace',
      labelNames: ['workspace'],
      registers,
    }),
    actionsPosted: new Counter({
      name: 'threadline_actions_posted_total',
      help: 'Actions written into notes, by workspace',
      labelNames: ['workspace'],
      registers,
    }),
    intercomCalls: new Counter({
      name: 'threadline_intercom_calls_total',
      help: 'Calls to the Intercom API, by operation, HTTP status (or timeout/network) and workspace',
      labelNames: ['operation', 'status', 'workspace'],
      registers,
    }),
    eventToNoteSeconds: new Histogram({
      name: 'threadline_event_to_note_seconds',
      help: 'Time from an action being stored to its note being posted, by workspace',
      labelNames: ['workspace'],
      buckets: [0.25, 0.5, 1, 2, 3, 5, 10, 30, 60, 300],
      registers,
    }),
    queueJobs: new Gauge({
      name: 'threadline_queue_jobs',
      help: 'Jobs per queue and state, read when scraped',
      labelNames: ['queue', 'state'],
      registers,
    }),
    summaries: new Counter({
      name: 'threadline_summaries_total',
      help: 'Summary notes written, by writer (llm or extractive)',
      labelNames: ['writer'],
      registers,
    }),
    llmErrors: new Counter({
      name: 'threadline_llm_errors_total',
      help: 'Summarizer LLM calls that failed, by reason',
      labelNames: ['reason'],
      registers,
    }),
    redisMemoryRatio: new Gauge({
      name: 'threadline_redis_memory_ratio',
      help: 'Redis used_memory / maxmemory (0: no maxmemory set); capture answers 503 above REDIS_MEMORY_HIGH_WATER',
      registers,
    }),
    noteSendingPaused: new Gauge({
      name: 'threadline_note_sending_paused',
      help: "1 while a workspace's note sending is paused after an Intercom 401/403 (until threadline resume), else 0",
      labelNames: ['workspace'],
      registers,
    }),
    spoolBacklog: new Gauge({
      name: 'threadline_capture_spool_backlog',
      help: 'Copies in the capture spool: waiting (not taken by a worker) and in_flight (taken, not done)',
      labelNames: ['state'],
      registers,
    }),
    copiesRecorded: new Counter({
      name: 'threadline_capture_copies_total',
      help: 'Spooled copies a worker handled: captured, refused (by capture), unreadable, ignored, retry, given_up',
      labelNames: ['source', 'outcome'],
      registers,
    }),
  };
}
