import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TallyError } from '../src/errors';
import {
  HierarchyServiceClient,
  HierarchyServiceService,
  IngestionServiceClient,
  IngestionServiceService,
  TALLY_ERROR_CODE_KEY,
  clientStreamHandler,
  grpcErrorFrom,
  grpcService,
  promisifyClientStream,
  promisifyUnary,
  startGrpcServer,
  tallyErrorFromGrpc,
  toGrpcStatus,
  unaryHandler,
  type HierarchyServiceServer,
  type IngestionServiceServer,
  type RunningGrpcServer,
  type tallyv1,
} from '../src/grpc';

const UNITS: Record<string, tallyv1.OrgUnit> = {
  VN: { code: 'VN', name: 'Việt Nam', shortName: 'Việt Nam', type: 'Quốc gia', level: 'country' },
  '01': { code: '01', name: 'Thành phố Hà Nội', shortName: 'Hà Nội', type: 'Thành phố', level: 'province', parentCode: 'VN' },
};

const unitOrThrow = (code: string): tallyv1.OrgUnit => {
  const unit = UNITS[code];
  if (!unit) throw new TallyError('UNKNOWN_ORG_UNIT', `no unit ${code} in hierarchy 2025`, { code, hierarchy: '2025' });
  return unit;
};

const hierarchy: HierarchyServiceServer = {
  getUnit: unaryHandler(async (req) => ({ unit: unitOrThrow(req.code), hierarchy: req.hierarchy || '2025' })),
  getAncestors: unaryHandler((req) => {
    const path: tallyv1.OrgUnit[] = [];
    for (let u: tallyv1.OrgUnit | undefined = unitOrThrow(req.code); u; u = u.parentCode ? UNITS[u.parentCode] : undefined) path.unshift(u);
    return { units: path, hierarchy: '2025' };
  }),
  getChildren: unaryHandler((req) => ({ units: Object.values(UNITS).filter((u) => u.parentCode === req.code), hierarchy: '2025' })),
  getVersion: unaryHandler(() => ({ version: { id: '2025', validFrom: '2025-07-01', levels: ['country', 'province', 'commune'], name: '', legalBasis: '' } })),
  listVersions: unaryHandler(() => ({ versions: [] })),
  countAtLevel: unaryHandler((req) => ({ count: Object.values(UNITS).filter((u) => u.level === req.level && u.parentCode === req.code).length })),
};

let position = 100;
const ingestion: IngestionServiceServer = {
  submit: unaryHandler(async ({ report }) => {
    if (!report) throw new TallyError('INVALID_REQUEST', 'report is required');
    unitOrThrow(report.orgUnit);
    return { reportId: `r-${report.submissionId}`, version: 1, status: 'submitted', position: ++position };
  }),
  submitStream: clientStreamHandler(async (requests) => {
    const results: tallyv1.SubmitResult[] = [];
    let index = 0;
    for await (const { report } of requests) {
      const base = { index: index++, reportId: '', version: 0, status: '', position: 0 };
      try {
        if (!report) throw new TallyError('INVALID_REQUEST', 'report is required');
        unitOrThrow(report.orgUnit);
        results.push({ ...base, ok: true, reportId: `r-${report.submissionId}`, version: 1, status: 'submitted', position: ++position });
      } catch (err) {
        const e = err as TallyError;
        results.push({ ...base, ok: false, error: { code: e.code, message: e.message, detailsJson: JSON.stringify(e.details ?? null) } });
      }
    }
    return { results, accepted: results.filter((r) => r.ok).length, rejected: results.filter((r) => !r.ok).length };
  }),
};

const report = (orgUnit: string, submissionId: string): tallyv1.Report => ({
  template: 'POVERTY_ANNUAL',
  orgUnit,
  period: '2025',
  submissionId,
  figures: 'official',
  values: [
    { dataElement: 'HH_POOR', value: { $case: 'number', value: 12 } },
    { dataElement: 'HH_NOTE', optionCombo: 'KINH_MALE', value: { $case: 'text', value: 'ghi chú' } },
  ],
});

describe('gRPC over a real channel', () => {
  let server: RunningGrpcServer;
  let hierarchyClient: HierarchyServiceClient;
  let ingestionClient: IngestionServiceClient;

  beforeAll(async () => {
    server = await startGrpcServer('127.0.0.1:0', [
      grpcService(HierarchyServiceService, hierarchy),
      grpcService(IngestionServiceService, ingestion),
    ]);
    const address = `127.0.0.1:${server.port}`;
    hierarchyClient = new HierarchyServiceClient(address, grpc.credentials.createInsecure());
    ingestionClient = new IngestionServiceClient(address, grpc.credentials.createInsecure());
  });

  afterAll(async () => {
    hierarchyClient?.close();
    ingestionClient?.close();
    await server?.stop(1000);
  });

  it('binds an ephemeral port', () => {
    expect(server.port).toBeGreaterThan(0);
  });

  it('answers unary calls', async () => {
    const getUnit = promisifyUnary(hierarchyClient, hierarchyClient.getUnit);
    const res = await getUnit({ hierarchy: '2025', code: '01' });
    expect(res.unit).toEqual(UNITS['01']);
    expect(res.hierarchy).toBe('2025');

    const ancestors = await promisifyUnary(hierarchyClient, hierarchyClient.getAncestors)({ hierarchy: '', code: '01' });
    expect(ancestors.units.map((u) => u.code)).toEqual(['VN', '01']);
    // an absent optional field stays absent (proto3 optional)
    expect(ancestors.units[0]?.parentCode).toBeUndefined();

    const submit = promisifyUnary(ingestionClient, ingestionClient.submit);
    const ack = await submit({ report: report('01', 's-1') }, { deadline: 5000 });
    expect(ack).toMatchObject({ reportId: 'r-s-1', version: 1, status: 'submitted' });
    expect(typeof ack.position).toBe('number');
  });

  it("carries a TallyError's code, message and details across the wire", async () => {
    const getUnit = promisifyUnary(hierarchyClient, hierarchyClient.getUnit);
    const err = await getUnit({ hierarchy: '2025', code: '99999' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TallyError);
    expect(err).toMatchObject({ code: 'UNKNOWN_ORG_UNIT', message: 'no unit 99999 in hierarchy 2025', details: { code: '99999', hierarchy: '2025' } });

    // the raw status seen by a generic gRPC client
    const raw = await new Promise<grpc.ServiceError>((resolve) =>
      hierarchyClient.getUnit({ hierarchy: '2025', code: '99999' }, (e) => resolve(e as grpc.ServiceError)),
    );
    expect(raw.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(raw.metadata.get(TALLY_ERROR_CODE_KEY)).toEqual(['UNKNOWN_ORG_UNIT']);
  });

  it('streams reports to SubmitStream and gets one summary back', async () => {
    const submitStream = promisifyClientStream(ingestionClient, ingestionClient.submitStream);
    async function* reports(): AsyncGenerator<tallyv1.SubmitStreamRequest> {
      yield { report: report('01', 'b-1') };
      yield { report: report('99999', 'b-2') };
      yield { report: report('VN', 'b-3') };
    }
    const summary = await submitStream(reports());
    expect(summary.accepted).toBe(2);
    expect(summary.rejected).toBe(1);
    expect(summary.results.map((r) => [r.index, r.ok])).toEqual([
      [0, true],
      [1, false],
      [2, true],
    ]);
    expect(summary.results[1]?.error).toMatchObject({ code: 'UNKNOWN_ORG_UNIT' });
    expect(summary.results[2]).toMatchObject({ reportId: 'r-b-3', status: 'submitted' });
  });
});

describe('error mapping', () => {
  it('maps codes to gRPC statuses', () => {
    expect(toGrpcStatus('UNKNOWN_ORG_UNIT')).toBe(grpc.status.INVALID_ARGUMENT);
    expect(toGrpcStatus('REPORT_NOT_FOUND')).toBe(grpc.status.NOT_FOUND);
    expect(toGrpcStatus('SUBMISSION_ID_REUSED')).toBe(grpc.status.ALREADY_EXISTS);
    expect(toGrpcStatus('REPORT_LOCKED')).toBe(grpc.status.FAILED_PRECONDITION);
    expect(toGrpcStatus('FORBIDDEN')).toBe(grpc.status.PERMISSION_DENIED);
    expect(toGrpcStatus('UNAUTHENTICATED')).toBe(grpc.status.UNAUTHENTICATED);
    expect(toGrpcStatus('RATE_LIMITED')).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(toGrpcStatus('REPORT_VERSION_CONFLICT')).toBe(grpc.status.ABORTED);
    expect(toGrpcStatus('UNAVAILABLE')).toBe(grpc.status.UNAVAILABLE);
  });

  it('hides unknown errors as INTERNAL and maps code-carrying errors (e.g. DomainError) by code', () => {
    const internal = grpcErrorFrom(new Error('db password is hunter2'));
    expect(internal.code).toBe(grpc.status.INTERNAL);
    expect(internal.details).toBe('internal error');

    class DomainError extends Error {
      constructor(readonly code: string, message: string) {
        super(message);
      }
    }
    const mapped = grpcErrorFrom(new DomainError('REPORT_LOCKED', 'locked'));
    expect(mapped.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(tallyErrorFromGrpc(mapped)).toMatchObject({ code: 'REPORT_LOCKED', message: 'locked' });
  });

  it('guesses a code for a bare status from another peer', () => {
    const bare = Object.assign(new Error('14 UNAVAILABLE: No connection established'), {
      code: grpc.status.UNAVAILABLE,
      details: 'No connection established',
      metadata: new grpc.Metadata(),
    });
    expect(tallyErrorFromGrpc(bare)).toMatchObject({ code: 'UNAVAILABLE', message: 'No connection established' });
  });
});
