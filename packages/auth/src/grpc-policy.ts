import type { tallyv1 } from '@tally/contracts';
import { parseReportStreamId, reportStreamId } from '@tally/core';
import type { Permission } from './roles';

/**
 * THE access policy of the gRPC methods, the counterpart of POLICIES (policy.ts) for HTTP: every method of
 * every tally.v1 service, keyed by its path, with the permission it needs and the unit it acts on, taken from
 * the request message. A method that is not listed here refuses every call (PERMISSION_DENIED), and
 * services/all-in-one/test/grpc-auth.e2e.spec.ts enumerates the generated service definitions and fails when
 * one is missing.
 *
 * Targets, as for HTTP: 'any' (the permission suffices), 'national' (callers on VN only), or a unit (with the
 * period or hierarchy version naming the map it is looked up in; without them, the version in force today).
 */
export type GrpcTarget = 'any' | 'national' | { unit: string; period?: string; hierarchy?: string };

export interface GrpcMethodPolicy {
  permission: Permission;
  /** the unit a call acts on, from its request message (client streams: the call as a whole, see perMessage) */
  target: (request: unknown) => GrpcTarget;
  /** client streams: the unit of each message; a message outside the caller's subtree is refused on its own */
  perMessage?: (message: unknown) => GrpcTarget;
}

const str = (x: unknown): string => (typeof x === 'string' ? x : '');
const unary = <Req>(permission: Permission, target: (request: Req) => GrpcTarget): GrpcMethodPolicy => ({
  permission,
  target: (request) => target((typeof request === 'object' && request !== null ? request : {}) as Req),
});
const reference: GrpcMethodPolicy = { permission: 'reference.read', target: () => 'any' };

/** The unit and period of a report (its id encodes them); an id that does not parse names no unit. */
function reportTarget(id: string): GrpcTarget {
  const key = parseReportStreamId(id);
  return key ? { unit: key.orgUnit, period: key.period } : { unit: '?' };
}
const submitted = (report: tallyv1.Report | undefined): GrpcTarget => ({ unit: str(report?.orgUnit), period: str(report?.period) });

export const GRPC_POLICIES: Readonly<Record<string, GrpcMethodPolicy>> = {
  // reference data: any signed-in caller with reference.read (every role, and the services)
  '/tally.v1.HierarchyService/GetUnit': reference,
  '/tally.v1.HierarchyService/GetAncestors': reference,
  '/tally.v1.HierarchyService/GetChildren': reference,
  '/tally.v1.HierarchyService/GetVersion': reference,
  '/tally.v1.HierarchyService/ListVersions': reference,
  '/tally.v1.HierarchyService/CountAtLevel': reference,
  '/tally.v1.CatalogService/GetCurrentCatalog': reference,
  '/tally.v1.CatalogService/GetDataElement': reference,
  '/tally.v1.CatalogService/GetIndicator': reference,

  // rollups and reports: the unit's subtree
  '/tally.v1.QueryService/GetRollup': unary<tallyv1.GetRollupRequest>('rollup.read', (r) => ({
    unit: str(r.orgUnit),
    period: str(r.period),
    ...(r.hierarchy ? { hierarchy: r.hierarchy } : {}),
  })),
  '/tally.v1.ReportService/GetReport': unary<tallyv1.GetReportRequest>('report.read', (r) =>
    reportTarget(r.reportId || reportStreamId({ template: str(r.template), orgUnit: str(r.orgUnit), period: str(r.period) })),
  ),

  // writes
  '/tally.v1.IngestionService/Submit': unary<tallyv1.SubmitRequest>('report.submit', (r) => submitted(r.report)),
  '/tally.v1.IngestionService/SubmitStream': {
    permission: 'report.submit',
    target: () => 'any',
    perMessage: (m) => submitted((m as Partial<tallyv1.SubmitStreamRequest> | null)?.report),
  },
};

/** The policy of a gRPC method (by path, e.g. `/tally.v1.IngestionService/Submit`), or undefined: refused. */
export function grpcPolicyFor(path: string): GrpcMethodPolicy | undefined {
  return Object.prototype.hasOwnProperty.call(GRPC_POLICIES, path) ? GRPC_POLICIES[path] : undefined;
}
