import { context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createLogger, startTracing } from '@tally/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { householdValues, startTestPlatform, type TestPlatform } from './helpers';

/**
 * One trace per request, embedded mode: the HTTP span of a submission, the event store append inside it, the
 * relay's publish linked to it, and each consumer that applied the event continuing it. The exporter is an
 * in-memory one; in production the standard OTEL_* variables choose an OTLP endpoint.
 */
const exporter = new InMemorySpanExporter();
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER = `00-${TRACE_ID}-00f067aa0ba902b7-01`;

describe('tracing (embedded)', () => {
  let p: TestPlatform;
  beforeAll(async () => {
    expect(startTracing('test', { exporter })).toBe(true);
    p = await startTestPlatform();
  });
  afterAll(() => p.dispose());

  it('follows one submission from the HTTP request through the append, the relay and every consumer', async () => {
    exporter.reset();
    const r = await p.app.inject({
      method: 'POST',
      url: '/api/v1/reports',
      headers: { traceparent: CALLER },
      payload: { template: 'M1719_S', orgUnit: '05611', period: '2024S2', submissionId: 't1', values: householdValues(80, 8) },
    });
    expect(r.statusCode).toBe(202);
    await p.waitUntilCaughtUp();
    const spans = exporter.getFinishedSpans();
    const inTrace = spans.filter((s) => s.spanContext().traceId === TRACE_ID);
    const named = (name: string): ReadableSpan[] => inTrace.filter((s) => s.name === name);

    const server = named('POST /api/v1/reports');
    expect(server).toHaveLength(1);
    expect(server[0]!.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    const append = named('eventstore.append');
    expect(append.length).toBeGreaterThanOrEqual(1);
    expect(append[0]!.parentSpanContext?.spanId).toBe(server[0]!.spanContext().spanId);

    // the relay publishes batches: its span links to the request it carries
    const publish = spans.filter((s) => s.name === 'publish tally.reports.v1' && s.links.some((l) => l.context.traceId === TRACE_ID));
    expect(publish.length).toBeGreaterThanOrEqual(1);

    // each consumer of the reports topic applied the event inside the request's trace (one event: a child span)
    const applied = new Set(inTrace.filter((s) => s.name.startsWith('apply ')).map((s) => s.name));
    for (const group of ['hierarchy-rollup.rollups', 'projection.reports', 'indicator.validation', 'notification.inbox', 'open-data.datasets']) {
      expect(applied, group).toContain(`apply ${group}`);
    }

    // and the read-model writes those consumers made are inside their spans
    const projection = inTrace.find((s) => s.name === 'apply projection.reports')!;
    const writes = inTrace.filter((s) => s.name.startsWith('readstore.') && s.parentSpanContext?.spanId === projection.spanContext().spanId);
    expect(writes.length).toBeGreaterThanOrEqual(1);
  });

  it('writes the active trace and span ids into log lines', () => {
    const lines: string[] = [];
    const logger = createLogger('trace-log-test', 'info', { write: (line) => lines.push(line) });
    const span = trace.getTracer('test').startSpan('log-line');
    context.with(trace.setSpan(context.active(), span), () => logger.info('inside a span'));
    logger.info('outside');
    span.end();
    expect(JSON.parse(lines[0]!)).toMatchObject({ trace_id: span.spanContext().traceId, span_id: span.spanContext().spanId });
    expect(JSON.parse(lines[1]!)).not.toHaveProperty('trace_id');
  });
});
