import * as grpc from '@grpc/grpc-js';
import { context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { HierarchyServiceClient, HierarchyServiceService, promisifyUnary, type GrpcRegistration, startGrpcServer, unaryHandler, type RunningGrpcServer } from '@tally/contracts';
import { startTracing } from '@tally/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** The W3C trace context crosses gRPC calls between services: the server's span continues the caller's. */
describe('tracing across gRPC', () => {
  const exporter = new InMemorySpanExporter();
  let server: RunningGrpcServer;
  let client: InstanceType<typeof HierarchyServiceClient>;
  let seenInHandler: string | undefined;

  beforeAll(async () => {
    startTracing('grpc-test', { exporter });
    const implementation = {
      getUnit: unaryHandler(async () => {
        seenInHandler = trace.getActiveSpan()?.spanContext().traceId;
        return { hierarchy: '2025', unit: { code: '19', name: 'Tỉnh Thái Nguyên', level: 'province', parentCode: 'VN' } };
      }),
    };
    // only the method under test is implemented (the others answer UNIMPLEMENTED)
    const registration = { service: HierarchyServiceService, implementation } as unknown as GrpcRegistration;
    server = await startGrpcServer('127.0.0.1:0', [registration]);
    client = new HierarchyServiceClient(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
  });
  afterAll(async () => {
    client.close();
    await server.stop();
  });

  it('continues the caller trace in the server span and the handler', async () => {
    exporter.reset();
    const getUnit = promisifyUnary(client, client.getUnit);
    const caller = trace.getTracer('test').startSpan('caller');
    await context.with(trace.setSpan(context.active(), caller), () => getUnit({ hierarchy: '2025', code: '19' }));
    caller.end();
    const traceId = caller.spanContext().traceId;
    const spans = exporter.getFinishedSpans();
    const clientSpan = spans.find((s) => s.name === 'grpc.client /tally.v1.HierarchyService/GetUnit');
    const serverSpan = spans.find((s) => s.name === 'grpc.server /tally.v1.HierarchyService/GetUnit');
    expect(clientSpan?.spanContext().traceId).toBe(traceId);
    expect(clientSpan?.parentSpanContext?.spanId).toBe(caller.spanContext().spanId);
    expect(serverSpan?.spanContext().traceId).toBe(traceId);
    expect(serverSpan?.parentSpanContext?.spanId).toBe(clientSpan?.spanContext().spanId);
    expect(seenInHandler).toBe(traceId);
  });
});
