import { TallyError, grpcService, HierarchyServiceService, QueryServiceService, unaryHandler, type GrpcRegistration, type HierarchyQuery, type OrgUnitView, type RollupQuery, type tallyv1 } from '@tally/contracts';

/** The hierarchy and rollups over gRPC, for services in other processes. */
const toProto = (u: OrgUnitView): tallyv1.OrgUnit => ({ code: u.code, name: u.name, shortName: u.shortName, type: u.type, level: u.level, ...(u.parentCode ? { parentCode: u.parentCode } : {}) });

export function hierarchyRollupGrpc(deps: { hierarchy: HierarchyQuery; rollups: RollupQuery }): GrpcRegistration[] {
  const { hierarchy } = deps;
  const required = async (h: string, code: string): Promise<OrgUnitView> => {
    const unit = await hierarchy.unit(h, code);
    if (!unit) throw new TallyError('UNKNOWN_ORG_UNIT', `unknown org unit ${code} in hierarchy ${h}`);
    return unit;
  };
  const versionOf = async (id: string) => (await hierarchy.versions()).find((v) => v.id === id);
  return [
    grpcService(HierarchyServiceService, {
      getUnit: unaryHandler(async (req: tallyv1.GetUnitRequest) => ({ unit: toProto(await required(req.hierarchy, req.code)), hierarchy: req.hierarchy })),
      getAncestors: unaryHandler(async (req: tallyv1.GetAncestorsRequest) => {
        await required(req.hierarchy, req.code);
        const path = await hierarchy.path(req.hierarchy, req.code);
        const units = await Promise.all(path.map((code) => required(req.hierarchy, code)));
        return { units: units.map(toProto), hierarchy: req.hierarchy };
      }),
      getChildren: unaryHandler(async (req: tallyv1.GetChildrenRequest) => ({ units: (await hierarchy.children(req.hierarchy, req.code)).map(toProto), hierarchy: req.hierarchy })),
      getVersion: unaryHandler(async (req: tallyv1.GetVersionRequest) => {
        const v = await versionOf(await hierarchy.versionFor(req.date || new Date().toISOString().slice(0, 10)));
        if (!v) throw new TallyError('UNKNOWN_HIERARCHY', `no hierarchy in force on ${req.date}`);
        return { version: { id: v.id, validFrom: v.validFrom, ...(v.validTo ? { validTo: v.validTo } : {}), levels: v.levels, name: '', legalBasis: '' } };
      }),
      listVersions: unaryHandler(async () => ({
        versions: (await hierarchy.versions()).map((v) => ({ id: v.id, validFrom: v.validFrom, ...(v.validTo ? { validTo: v.validTo } : {}), levels: v.levels, name: '', legalBasis: '' })),
      })),
      countAtLevel: unaryHandler(async (req: tallyv1.CountAtLevelRequest) => ({ count: await hierarchy.countAtLevel(req.hierarchy, req.code, req.level) })),
    }),
    grpcService(QueryServiceService, {
      getRollup: unaryHandler(async (req: tallyv1.GetRollupRequest) => {
        const r = await deps.rollups.rollup({
          orgUnit: req.orgUnit,
          period: req.period,
          ...(req.hierarchy ? { hierarchy: req.hierarchy } : {}),
          ...(req.figures ? { figures: req.figures as 'estimate' | 'official' | 'latest' } : {}),
          ...(req.after ? { after: req.after } : {}),
          ...(req.asOf ? { asOf: req.asOf } : {}),
        });
        const indicators: Record<string, tallyv1.IndicatorValue> = {};
        for (const [code, v] of Object.entries(r.indicators)) {
          indicators[code] = { ...(v.value === null ? {} : { value: v.value }), ...(v.numerator === null ? {} : { numerator: v.numerator }), ...(v.denominator === null ? {} : { denominator: v.denominator }) };
        }
        return { rollup: { orgUnit: r.orgUnit, period: r.period, hierarchy: r.hierarchy, figures: r.figures, dataElements: r.dataElements, indicators, completeness: r.completeness, position: r.position, ...(r.asOf ? { asOf: r.asOf } : {}), estimated: r.estimated ?? false, estimatedBecause: r.estimatedBecause ?? [], remappedFrom: r.remappedFrom ?? [] } };
      }),
    }),
  ];
}
