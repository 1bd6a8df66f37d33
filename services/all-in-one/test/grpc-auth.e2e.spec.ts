import * as grpc from '@grpc/grpc-js';
import { GRPC_POLICIES, TokenSigner, grpcPolicyFor, secureGrpc, serviceTokens } from '@tally/auth';
import { TALLY_ERROR_CODE_KEY, startGrpcServer, tallyv1, type GrpcRegistration, type RunningGrpcServer } from '@tally/contracts';
import type { ProjectionService } from '@tally/svc-projection';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hierarchyRollupGrpc } from '../../hierarchy-rollup/src/grpc';
import { indicatorGrpc } from '../../indicator/src/grpc';
import { ingestionGrpc } from '../../ingestion/src/grpc';
import { accountToken, as, startAuthPlatform, type AuthTestPlatform } from './auth-helpers';
import { householdValues } from './helpers';

/**
 * Authorization over gRPC: the real service registrations, secured by secureGrpc as each service's main does,
 * served by a real gRPC server, called over the network. EVERY method of every tally.v1 service (enumerated from
 * the generated definitions, so a new method without a policy or a case here fails) is called
 *   (a) without a token -> UNAUTHENTICATED, nothing appended;
 *   (b) as the commune officer of commune B (province 01) -> PERMISSION_DENIED when it acts on commune A
 *       (province 19), nothing appended; reference data (catalog, hierarchy) is open to every signed-in caller;
 *   (c) as an allowed caller (the officer of A) -> OK.
 */
const A = '01840';
const B = '00004';
const PERIOD = '2026S1';
const REPORT_A = `report-M1719_S-${A}-${PERIOD}`;
const TOKEN_SECRET = 'test-secret-test-secret-test-secret-0123'; // the one startAuthPlatform uses

const grpcValues = (total: number) =>
  householdValues(total, 10).map((v) => ({ dataElement: v.dataElement, value: { $case: 'number' as const, value: v.value as number } }));
const report = (orgUnit: string, submissionId: string, total: number, reason?: string) =>
  tallyv1.Report.fromPartial({ template: 'M1719_S', orgUnit, period: PERIOD, submissionId, values: grpcValues(total), ...(reason ? { reason } : {}) });

/** Every method of every generated tally.v1 service definition, by path. */
function allMethods(): Map<string, grpc.MethodDefinition<unknown, unknown>> {
  const methods = new Map<string, grpc.MethodDefinition<unknown, unknown>>();
  for (const value of Object.values(tallyv1)) {
    if (typeof value !== 'object' || value === null) continue;
    const defs = Object.values(value as Record<string, unknown>);
    const isService = defs.length > 0 && defs.every((d) => typeof d === 'object' && d !== null && typeof (d as { path?: unknown }).path === 'string');
    if (!isService) continue;
    for (const d of defs as Array<grpc.MethodDefinition<unknown, unknown>>) methods.set(d.path, d);
  }
  return methods;
}

/**
 * What each method is called with: unary methods one request, client streams a list of messages. `scoped`: the
 * call acts on commune A (the officer of B is refused); otherwise it reads reference data (anyone signed in).
 */
interface Case {
  scoped: boolean;
  request: (n: number) => unknown;
}
const REFERENCE: Record<string, (n: number) => unknown> = {
  '/tally.v1.HierarchyService/GetUnit': () => tallyv1.GetUnitRequest.fromPartial({ hierarchy: '2025', code: A }),
  '/tally.v1.HierarchyService/GetAncestors': () => tallyv1.GetAncestorsRequest.fromPartial({ hierarchy: '2025', code: A }),
  '/tally.v1.HierarchyService/GetChildren': () => tallyv1.GetChildrenRequest.fromPartial({ hierarchy: '2025', code: '19' }),
  '/tally.v1.HierarchyService/GetVersion': () => tallyv1.GetVersionRequest.fromPartial({ date: '2026-01-01' }),
  '/tally.v1.HierarchyService/ListVersions': () => tallyv1.ListVersionsRequest.fromPartial({}),
  '/tally.v1.HierarchyService/CountAtLevel': () => tallyv1.CountAtLevelRequest.fromPartial({ hierarchy: '2025', code: '19', level: 'commune' }),
  '/tally.v1.CatalogService/GetCurrentCatalog': () => tallyv1.GetCurrentCatalogRequest.fromPartial({}),
  '/tally.v1.CatalogService/GetDataElement': () => tallyv1.GetDataElementRequest.fromPartial({ code: 'HH_TOTAL' }),
  '/tally.v1.CatalogService/GetIndicator': () => tallyv1.GetIndicatorRequest.fromPartial({ code: 'POVERTY_RATE' }),
};
const CASES: Record<string, Case> = {
  ...Object.fromEntries(Object.entries(REFERENCE).map(([path, request]) => [path, { scoped: false, request }])),
  '/tally.v1.QueryService/GetRollup': { scoped: true, request: () => tallyv1.GetRollupRequest.fromPartial({ orgUnit: A, period: PERIOD }) },
  '/tally.v1.ReportService/GetReport': { scoped: true, request: () => tallyv1.GetReportRequest.fromPartial({ reportId: REPORT_A }) },
  '/tally.v1.IngestionService/Submit': { scoped: true, request: (n) => tallyv1.SubmitRequest.fromPartial({ report: report(A, `grpc-${n}`, 100 + n, 'correction over gRPC') }) },
  '/tally.v1.IngestionService/SubmitStream': {
    scoped: true,
    request: (n) => [tallyv1.SubmitStreamRequest.fromPartial({ report: report(A, `grpc-stream-${n}`, 200 + n, 'bulk correction over gRPC') })],
  },
};

interface Answer {
  err: grpc.ServiceError | null;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  res: any;
}

describe('gRPC: every method checks the caller like HTTP', () => {
  let p: AuthTestPlatform;
  let server: RunningGrpcServer;
  let client: grpc.Client;
  const tokens: Record<'officerA' | 'officerB', string> = { officerA: '', officerB: '' };
  let calls = 0;

  /** Calls a method by its definition, with `authorization: Bearer <token>` metadata when a token is given. */
  const call = (method: grpc.MethodDefinition<unknown, unknown>, request: unknown, token: string | undefined): Promise<Answer> => {
    const metadata = new grpc.Metadata();
    if (token !== undefined) metadata.set('authorization', `Bearer ${token}`);
    return new Promise((resolve) => {
      const done = (err: grpc.ServiceError | null, res?: unknown) => resolve({ err, res });
      if (method.requestStream) {
        const stream = client.makeClientStreamRequest(method.path, method.requestSerialize, method.responseDeserialize, metadata, {}, done);
        for (const m of request as unknown[]) stream.write(m);
        stream.end();
      } else {
        client.makeUnaryRequest(method.path, method.requestSerialize, method.responseDeserialize, request, metadata, {}, done);
      }
    });
  };
  const errorCode = (a: Answer) => a.err?.metadata.get(TALLY_ERROR_CODE_KEY)[0];

  beforeAll(async () => {
    p = await startAuthPlatform();
    tokens.officerA = await accountToken(p, 'grpc.officer.a', 'commune_officer', A);
    tokens.officerB = await accountToken(p, 'grpc.officer.b', 'commune_officer', B);
    // commune A's report exists (GetReport reads it; the gRPC writes below amend it)
    const first = await as(p, tokens.officerA).post('/api/v1/reports', { template: 'M1719_S', orgUnit: A, period: PERIOD, submissionId: 'http-1', values: householdValues(100, 10) });
    expect(first.status, first.text).toBe(202);
    await p.waitUntilCaughtUp();

    const projection = p.services.find((s) => s.name === 'projection') as ProjectionService;
    const registrations: GrpcRegistration[] = [
      ...hierarchyRollupGrpc({ hierarchy: p.hierarchyRollup.hierarchyQuery, rollups: p.hierarchyRollup.rollupQuery }),
      ...indicatorGrpc(p.indicator.catalogQuery),
      ...ingestionGrpc({ store: p.platform.store, catalog: p.indicator.catalogQuery, hierarchy: p.hierarchyRollup.hierarchyQuery, nudgeRelay: p.platform.nudgeRelay }),
      ...projection.grpc,
    ];
    server = await startGrpcServer('127.0.0.1:0', secureGrpc(registrations, p.auth));
    client = new grpc.Client(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
  });
  afterAll(async () => {
    client?.close();
    await server?.stop();
    await p?.dispose();
  });

  it('has an access policy and a test case for every generated method, and serves them all', () => {
    const paths = [...allMethods().keys()].sort();
    expect(paths.length).toBeGreaterThanOrEqual(13);
    expect(paths.filter((path) => !grpcPolicyFor(path)), 'methods without an access policy').toEqual([]);
    expect(paths.filter((path) => !CASES[path]), 'methods without a case in this test').toEqual([]);
    expect(Object.keys(GRPC_POLICIES).sort(), 'policies for methods that do not exist').toEqual(paths);
    // reference data is readable by any signed-in caller; everything else is scoped to a unit
    for (const path of paths) expect(grpcPolicyFor(path)!.target({}) === 'any' && !grpcPolicyFor(path)!.perMessage, path).toBe(!CASES[path]!.scoped);
  });

  for (const [path] of Object.entries(CASES)) {
    it(`${path}: no token -> UNAUTHENTICATED; officer of B -> ${CASES[path]!.scoped ? 'PERMISSION_DENIED' : 'OK (reference data)'}; officer of A -> OK`, async () => {
      const method = allMethods().get(path)!;
      const c = CASES[path]!;
      const streaming = method.requestStream;

      // (a) anonymous, and a forged token
      for (const token of [undefined, `${tokens.officerA.slice(0, -4)}AAAA`]) {
        const head = await p.platform.store.headPosition();
        const anonymous = await call(method, c.request(++calls), token);
        expect(anonymous.err?.code, `${path} ${token ? 'forged' : 'anonymous'}`).toBe(grpc.status.UNAUTHENTICATED);
        expect(errorCode(anonymous)).toBe('UNAUTHENTICATED');
        expect(await p.platform.store.headPosition()).toBe(head);
      }

      // (b) the officer of another commune (another province)
      const head = await p.platform.store.headPosition();
      const versionBefore = (await p.platform.store.readStream(REPORT_A)).length;
      const other = await call(method, c.request(++calls), tokens.officerB);
      if (!c.scoped) {
        expect(other.err, path).toBeNull();
      } else if (streaming) {
        // the stream is accepted; each report outside the caller's subtree is refused on its own
        expect(other.err).toBeNull();
        expect(other.res).toMatchObject({ accepted: 0, rejected: 1 });
        expect(other.res.results[0].error.code).toBe('FORBIDDEN');
      } else {
        expect(other.err?.code, path).toBe(grpc.status.PERMISSION_DENIED);
        expect(errorCode(other)).toBe('FORBIDDEN');
        expect(other.err?.details).toContain(`outside your org unit ${B}`);
      }
      expect(await p.platform.store.headPosition(), `${path}: a refused call appended`).toBe(head);
      expect((await p.platform.store.readStream(REPORT_A)).length).toBe(versionBefore);

      // (c) the officer of A
      const allowed = await call(method, c.request(++calls), tokens.officerA);
      expect(allowed.err, `${path}: ${allowed.err?.details}`).toBeNull();
      if (streaming) expect(allowed.res).toMatchObject({ accepted: 1, rejected: 0 });
      if (path.endsWith('/GetReport')) expect(allowed.res.report).toMatchObject({ reportId: REPORT_A, orgUnit: A });
      if (path.endsWith('/GetRollup')) expect(allowed.res.rollup).toMatchObject({ orgUnit: A, period: PERIOD });
    });
  }

  it('records the authenticated caller as the actor of what a gRPC call appends', async () => {
    const method = allMethods().get('/tally.v1.IngestionService/Submit')!;
    const r = await call(method, tallyv1.SubmitRequest.fromPartial({ report: report(A, 'grpc-actor', 150, 'actor check') }), tokens.officerA);
    expect(r.err).toBeNull();
    const last = (await p.platform.store.readStream(REPORT_A)).at(-1)!;
    expect(last.actor).toMatchObject({ id: 'grpc.officer.a', role: 'commune_officer', orgUnit: A });
    expect(last.actor.origin).toBeTruthy();
  });

  it('applies the cross-map rule and records which maps it used (new 01864 for old 01858 yes, new 23710 for old 23710 no)', async () => {
    const submit = allMethods().get('/tally.v1.IngestionService/Submit')!;
    const oldReport = (orgUnit: string, submissionId: string) =>
      tallyv1.SubmitRequest.fromPartial({ report: tallyv1.Report.fromPartial({ template: 'M1719_S', orgUnit, period: '2024S2', submissionId, values: grpcValues(300) }) });
    const bangThanh = await accountToken(p, 'grpc.01864', 'commune_officer', '01864');
    const ok = await call(submit, oldReport('01858', 'grpc-old-01858'), bangThanh);
    expect(ok.err, ok.err?.details).toBeNull();
    const [event] = await p.platform.store.readStream('report-M1719_S-01858-2024S2');
    expect(event!.actor).toMatchObject({ id: 'grpc.01864', orgUnit: '01864', unitHierarchy: '2025', checkedIn: 'pre2025' });
    const ia = await accountToken(p, 'grpc.23710', 'commune_officer', '23710');
    const head = await p.platform.store.headPosition();
    const refused = await call(submit, oldReport('23710', 'grpc-old-23710'), ia);
    expect(refused.err?.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(await p.platform.store.headPosition()).toBe(head);
  });

  it('on a stream, refuses only the reports outside the subtree and appends the others', async () => {
    const method = allMethods().get('/tally.v1.IngestionService/SubmitStream')!;
    const versionA = (await p.platform.store.readStream(REPORT_A)).length;
    const r = await call(
      method,
      [tallyv1.SubmitStreamRequest.fromPartial({ report: report(A, 'mixed-a', 300, 'not mine') }), tallyv1.SubmitStreamRequest.fromPartial({ report: report(B, 'mixed-b', 120) })],
      tokens.officerB,
    );
    expect(r.err).toBeNull();
    expect(r.res.results.map((x: { ok: boolean; error?: { code: string } }) => (x.ok ? 'ok' : x.error!.code))).toEqual(['FORBIDDEN', 'ok']);
    expect((await p.platform.store.readStream(REPORT_A)).length).toBe(versionA);
    expect((await p.platform.store.readStream(`report-M1719_S-${B}-${PERIOD}`)).length).toBe(1);
  });

  it('lets peer services read with a service token, but not write; HTTP refuses service tokens', async () => {
    const service = serviceTokens(new TokenSigner(TOKEN_SECRET), 'test-peer')();
    const methods = allMethods();
    const rollup = await call(methods.get('/tally.v1.QueryService/GetRollup')!, tallyv1.GetRollupRequest.fromPartial({ orgUnit: 'VN', period: PERIOD }), service);
    expect(rollup.err).toBeNull();
    const read = await call(methods.get('/tally.v1.ReportService/GetReport')!, tallyv1.GetReportRequest.fromPartial({ reportId: REPORT_A }), service);
    expect(read.err).toBeNull();
    const head = await p.platform.store.headPosition();
    const write = await call(methods.get('/tally.v1.IngestionService/Submit')!, tallyv1.SubmitRequest.fromPartial({ report: report(A, 'by-service', 1, 'no') }), service);
    expect(write.err?.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(await p.platform.store.headPosition()).toBe(head);
    expect((await as(p, service).get(`/api/v1/rollups?orgUnit=VN&period=${PERIOD}`)).status).toBe(401);
    // a service token signed with another secret is worthless
    const foreign = serviceTokens(new TokenSigner('another-secret-another-secret-another-1'), 'test-peer')();
    expect((await call(methods.get('/tally.v1.HierarchyService/ListVersions')!, tallyv1.ListVersionsRequest.fromPartial({}), foreign)).err?.code).toBe(grpc.status.UNAUTHENTICATED);
  });

  it('leaves the registrations untouched when auth is off (TALLY_AUTH=off)', () => {
    const registrations = indicatorGrpc(p.indicator.catalogQuery);
    const open = secureGrpc(registrations, { ...p.auth, enforced: false, service: p.auth.service, hierarchy: p.auth.hierarchy });
    expect(open.map((r) => r.implementation)).toEqual(registrations.map((r) => r.implementation));
  });
});
