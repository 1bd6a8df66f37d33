import { createServer, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { demoCatalog } from '../src/demo';
import type { DistributedDeployment } from '../src/distributed/launcher';
import { householdValues } from './helpers';
import { startTestDeployment } from './distributed-helpers';

/**
 * One trace across processes: the six services on Kafka + MongoDB export their spans over OTLP/HTTP (the
 * standard OTEL_EXPORTER_OTLP_ENDPOINT) to a receiver this test runs; a submission's trace holds the
 * ingestion's request and append, the relay's publish, a gRPC call to another service, and the consumers of
 * other processes applying the event, each continuing the trace carried inside the event.
 */
const brokers = inject('kafkaBrokers');
const mongoUrl = inject('mongoUrl');
const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';

interface ExportedSpan { service: string; name: string; traceId: string; spanId: string; parentSpanId?: string; links: { traceId: string }[] }

function collectSpans(body: unknown, into: ExportedSpan[]): void {
  const rs = (body as { resourceSpans?: unknown[] }).resourceSpans ?? [];
  for (const r of rs as { resource?: { attributes?: { key: string; value: { stringValue?: string } }[] }; scopeSpans?: { spans?: Record<string, unknown>[] }[] }[]) {
    const service = r.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue ?? '?';
    for (const scope of r.scopeSpans ?? []) {
      for (const s of scope.spans ?? []) {
        into.push({
          service,
          name: String(s.name),
          traceId: String(s.traceId),
          spanId: String(s.spanId),
          ...(s.parentSpanId ? { parentSpanId: String(s.parentSpanId) } : {}),
          links: ((s.links as { traceId: string }[] | undefined) ?? []).map((l) => ({ traceId: String(l.traceId) })),
        });
      }
    }
  }
}


describe.skipIf(brokers.length === 0 || !mongoUrl)('tracing across the distributed services', () => {
  const spans: ExportedSpan[] = [];
  let receiver: Server;
  let d: DistributedDeployment;

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        const text = (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
        if (req.url === '/v1/traces') collectSpans(JSON.parse(text), spans);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const port = (receiver.address() as { port: number }).port;
    const run = `tr${Date.now().toString(36)}`;
    d = await startTestDeployment(run, { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, OTEL_BSP_SCHEDULE_DELAY: '200' });
    const put = await fetch(`${d.url}/api/v1/catalog`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(demoCatalog()) });
    expect(put.status).toBeLessThan(300);
  }, 300_000);
  afterAll(async () => {
    await d?.stop();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  it('exports one trace for a submission, across processes', async () => {
    const r = await fetch(`${d.url}/api/v1/reports`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${TRACE_ID}-b7ad6b7169203331-01` },
      body: JSON.stringify({ template: 'M1719_S', orgUnit: '05611', period: '2024S2', submissionId: 'trace-1', values: householdValues(70, 7) }),
    });
    expect(r.status).toBe(202);
    const wanted = (s: ExportedSpan[]) => {
      const inTrace = s.filter((x) => x.traceId === TRACE_ID);
      const names = new Set(inTrace.map((x) => `${x.service}: ${x.name}`));
      return (
        names.has('tally-ingestion: POST /api/v1/reports') &&
        names.has('tally-ingestion: eventstore.append') &&
        names.has('tally-hierarchy-rollup: apply hierarchy-rollup.rollups') &&
        names.has('tally-projection: apply projection.reports') &&
        inTrace.some((x) => x.name.startsWith('grpc.server ')) &&
        s.some((x) => x.name === 'publish tally.reports.v1' && x.links.some((l) => l.traceId === TRACE_ID))
      );
    };
    // spans arrive in batches from six processes: wait for the ones this trace must have, for a bounded time
    const deadline = Date.now() + 90_000;
    while (!wanted(spans) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250));
    const inTrace = spans.filter((x) => x.traceId === TRACE_ID).map((x) => `${x.service}: ${x.name}`);
    expect(wanted(spans), `spans of the trace: ${inTrace.join(', ')}`).toBe(true);
    // the server span continues the caller's context
    expect(spans.find((x) => x.name === 'POST /api/v1/reports' && x.traceId === TRACE_ID)?.parentSpanId).toBe('b7ad6b7169203331');
  }, 120_000);
});
