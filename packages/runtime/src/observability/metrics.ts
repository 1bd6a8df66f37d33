import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The process's Prometheus metrics, served at GET /metrics (operators only, like /api/v1/health). One
 * registry per process: in production a process is one service (or the all-in-one host). Gauges that
 * describe live state (consumer lag, log head, relay checkpoint) are read at scrape time from what
 * registered itself, so nothing polls when nobody scrapes.
 *
 * The names are a contract with deploy/grafana and docs/operations.md; METRIC_NAMES lists them and a test
 * checks the dashboard uses no other.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'tally_process_' });

export const METRIC_NAMES = {
  httpRequests: 'tally_http_requests_total',
  httpDuration: 'tally_http_request_duration_seconds',
  logHead: 'tally_event_log_head_position',
  relayed: 'tally_relay_published_position',
  consumerLag: 'tally_consumer_lag',
  applied: 'tally_consumer_events_applied_total',
  batchSize: 'tally_consumer_batch_size',
  deadLetters: 'tally_consumer_dead_letters_total',
  outbox: 'tally_notification_outbox',
} as const;

const httpRequests = new Counter({
  name: METRIC_NAMES.httpRequests,
  help: 'HTTP requests answered, by route template and status',
  labelNames: ['method', 'route', 'status'] as const,
  registers: [registry],
});
const httpDuration = new Histogram({
  name: METRIC_NAMES.httpDuration,
  help: 'HTTP request latency by route template',
  labelNames: ['method', 'route'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});
const applied = new Counter({
  name: METRIC_NAMES.applied,
  help: 'events a consumer group applied',
  labelNames: ['group'] as const,
  registers: [registry],
});
const batchSize = new Histogram({
  name: METRIC_NAMES.batchSize,
  help: 'events per batch a consumer group applied at once',
  labelNames: ['group'] as const,
  buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
  registers: [registry],
});
const deadLetters = new Counter({
  name: METRIC_NAMES.deadLetters,
  help: 'events a consumer group gave up on and sent to the dead-letter topic',
  labelNames: ['group'] as const,
  registers: [registry],
});

/** Something whose lag per partition can be read at scrape time (an EventConsumer). */
export interface LagSource {
  readonly groupId: string;
  lag(): Promise<{ topic: string; partition: number; lag: number }[]>;
}
const lagSources = new Set<LagSource>();
new Gauge({
  name: METRIC_NAMES.consumerLag,
  help: 'messages published but not yet applied, per consumer group and partition',
  labelNames: ['group', 'topic', 'partition'] as const,
  registers: [registry],
  async collect() {
    this.reset();
    for (const source of lagSources) {
      for (const l of await source.lag().catch(() => [])) this.set({ group: source.groupId, topic: l.topic, partition: String(l.partition) }, l.lag);
    }
  },
});

/** The event log's head and the relay's checkpoint, read at scrape time (where this process has them). */
export interface LogPositions {
  headPosition(): Promise<number>;
  publishedPosition(): Promise<number> | number;
}
let logPositions: LogPositions | undefined;
new Gauge({
  name: METRIC_NAMES.logHead,
  help: 'position of the last event appended to the event store',
  registers: [registry],
  async collect() {
    if (logPositions) this.set(await logPositions.headPosition());
  },
});
new Gauge({
  name: METRIC_NAMES.relayed,
  help: "the relay's checkpoint: every event up to it is published",
  registers: [registry],
  async collect() {
    if (logPositions) this.set(await logPositions.publishedPosition());
  },
});

/** The notification outbox's depth by state (pending, dead), read at scrape time where the service runs. */
let outboxDepth: (() => Promise<Record<string, number>>) | undefined;
new Gauge({
  name: METRIC_NAMES.outbox,
  help: 'notification deliveries (e-mail, webhook) in the outbox, by state: pending (queued or retrying) and dead (every attempt failed)',
  labelNames: ['state'] as const,
  registers: [registry],
  async collect() {
    this.reset();
    if (!outboxDepth) return;
    for (const [state, n] of Object.entries(await outboxDepth().catch(() => ({})))) this.set({ state }, n);
  },
});

export const observe = {
  http(method: string, route: string, status: number, seconds: number): void {
    httpRequests.inc({ method, route, status: String(status) });
    httpDuration.observe({ method, route }, seconds);
  },
  batch(group: string, events: number): void {
    applied.inc({ group }, events);
    batchSize.observe({ group }, events);
  },
  deadLetter(group: string): void {
    deadLetters.inc({ group });
  },
  /** Registers a consumer for the lag gauge; the returned function unregisters it. */
  consumer(source: LagSource): () => void {
    lagSources.add(source);
    return () => lagSources.delete(source);
  },
  log(positions: LogPositions): void {
    logPositions = positions;
  },
  outbox(depth: () => Promise<Record<string, number>>): void {
    outboxDepth = depth;
  },
};

export async function renderMetrics(): Promise<{ contentType: string; body: string }> {
  return { contentType: registry.contentType, body: await registry.metrics() };
}
