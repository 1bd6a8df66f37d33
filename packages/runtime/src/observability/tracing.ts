import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  isSpanContextValid,
  propagation,
  trace,
  type Context,
  type Link,
  type Span,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

/**
 * OpenTelemetry traces: one trace per request, through the event store append, the relay's publish and each
 * consumer that applies the event. The W3C trace context travels inside every event (`traceparent` in the
 * envelope, also a Kafka header), so a consumer in another process continues the trace of the request that
 * caused the event: as a child span when it applies that one event, with span links when one batch carries
 * the events of many requests.
 *
 * Configured by the standard variables: on when OTEL_EXPORTER_OTLP_ENDPOINT (or ..._TRACES_ENDPOINT) is set or
 * OTEL_TRACES_EXPORTER=otlp, off when OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none. Off, nothing is
 * installed: the API's no-op tracer answers and the adapters are not wrapped, so tracing costs nothing.
 */
let provider: NodeTracerProvider | null = null;

export function tracingConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED === 'true' || env.OTEL_TRACES_EXPORTER === 'none') return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_TRACES_EXPORTER === 'otlp');
}

export function tracingEnabled(): boolean {
  return provider !== null;
}

/**
 * Installs the tracer provider of this process once (a process is one service, or the all-in-one host).
 * `exporter` replaces the OTLP exporter (tests: an in-memory one, exported span by span).
 */
export function startTracing(serviceName: string, options: { exporter?: SpanExporter; env?: NodeJS.ProcessEnv } = {}): boolean {
  if (provider) return true;
  if (!options.exporter && !tracingConfigured(options.env)) return false;
  const processor = options.exporter ? new SimpleSpanProcessor(options.exporter) : new BatchSpanProcessor(new OTLPTraceExporter());
  provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: process.env.OTEL_SERVICE_NAME ?? `tally-${serviceName}` }),
    spanProcessors: [processor],
  });
  provider.register();
  return true;
}

/** Exports what is buffered and stops (at shutdown). */
export async function stopTracing(): Promise<void> {
  const p = provider;
  provider = null;
  await p?.shutdown();
}

export const tracer = () => trace.getTracer('tally');

/** The W3C traceparent of the active span, when one is recording. */
export function activeTraceparent(ctx: Context = context.active()): string | undefined {
  const sc = trace.getSpanContext(ctx);
  if (!sc || !isSpanContextValid(sc)) return undefined;
  return `00-${sc.traceId}-${sc.spanId}-${sc.traceFlags.toString(16).padStart(2, '0')}`;
}

export function contextOfTraceparent(traceparent: string | undefined): Context {
  return traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent }) : ROOT_CONTEXT;
}

function linkOf(traceparent: string | undefined): Link | undefined {
  const sc = trace.getSpanContext(contextOfTraceparent(traceparent));
  return sc && isSpanContextValid(sc) ? { context: sc } : undefined;
}

export function linksOf(traceparents: (string | undefined)[]): Link[] {
  const seen = new Set<string>();
  const links: Link[] = [];
  for (const tp of traceparents) {
    const link = linkOf(tp);
    if (link && !seen.has(link.context.spanId)) {
      seen.add(link.context.spanId);
      links.push(link);
    }
  }
  return links;
}

/** Runs `work` in a new active span, ending it (with the error recorded, if any) when `work` settles. */
export async function inSpan<T>(
  name: string,
  options: { kind?: SpanKind; attributes?: Record<string, string | number | boolean>; links?: Link[]; parent?: Context },
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = options.parent ?? context.active();
  const span = tracer().startSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes ?? {}, links: options.links ?? [] }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => work(span));
  } catch (err) {
    span.recordException(err as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
    throw err;
  } finally {
    span.end();
  }
}

/**
 * A consumer's span for one batch: the child of the request that caused its event when it holds one event,
 * linked to each cause when it holds the events of several requests.
 */
export function inConsumerSpan<T>(group: string, partition: number, traceparents: (string | undefined)[], work: () => Promise<T>): Promise<T> {
  if (!provider) return work();
  const distinct = new Set(traceparents.filter((t): t is string => typeof t === 'string'));
  const single = distinct.size === 1 ? [...distinct][0] : undefined;
  return inSpan(
    `apply ${group}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: { 'messaging.consumer.group.name': group, 'messaging.destination.partition.id': String(partition), 'messaging.batch.message_count': traceparents.length },
      ...(single ? { parent: contextOfTraceparent(single) } : { parent: ROOT_CONTEXT, links: linksOf(traceparents) }),
    },
    () => work(),
  );
}

export { SpanKind, SpanStatusCode, context, propagation, trace, ROOT_CONTEXT };
