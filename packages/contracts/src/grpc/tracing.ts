import { SpanKind, SpanStatusCode, context, propagation, trace, type Context } from '@opentelemetry/api';
import type * as grpc from '@grpc/grpc-js';

/**
 * W3C trace context across gRPC calls between services: the client puts the active context into the call's
 * metadata (`traceparent`), the server continues it in a span around the handler. Only the OpenTelemetry API
 * is used here: where the process installed no tracer (tracing off), every call below is a no-op.
 */
const tracer = () => trace.getTracer('tally-grpc');

const metadataSetter = { set: (m: grpc.Metadata, key: string, value: string) => m.set(key, value) };
const metadataGetter = {
  get: (m: grpc.Metadata, key: string) => {
    const v = m.get(key)[0];
    return typeof v === 'string' ? v : undefined;
  },
  keys: (m: grpc.Metadata) => Object.keys(m.getMap()),
};

/** Runs an outgoing call in a client span whose context travels in `metadata`. */
export function inClientSpan<T>(method: string, metadata: grpc.Metadata, call: () => Promise<T>): Promise<T> {
  return inSpan(`grpc.client ${method}`, SpanKind.CLIENT, context.active(), async () => {
    propagation.inject(context.active(), metadata, metadataSetter);
    return call();
  });
}

/** Runs a handler in a server span continuing the caller's context from the call's metadata. */
export function inServerSpan<T>(method: string, metadata: grpc.Metadata, handle: () => Promise<T>): Promise<T> {
  return inSpan(`grpc.server ${method}`, SpanKind.SERVER, propagation.extract(context.active(), metadata, metadataGetter), handle);
}

async function inSpan<T>(name: string, kind: SpanKind, parent: Context, work: () => Promise<T>): Promise<T> {
  const span = tracer().startSpan(name, { kind }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), work);
  } catch (err) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
    throw err;
  } finally {
    span.end();
  }
}
