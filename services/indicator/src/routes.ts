import type { HierarchyQuery, RollupQuery } from '@tally/contracts';
import type { EventStore } from '@tally/eventstore';
import {
  Code,
  DigitsParam,
  Figures,
  OneOf,
  OrgUnitCode,
  PeriodCode,
  PositionParam,
  Strict,
  Type,
  eventContextOf,
  type TypeBoxTypeProvider,
} from '@tally/runtime';
import type { FastifyPluginAsync } from 'fastify';
import { CatalogAskQuery, catalogAsked } from './catalog-asked';
import type { CatalogRegistry } from './catalog-registry';
import { rankComposite } from './composites';
import { publishAndAnswer } from './publish-answer';
import type { TargetDoc } from './target-tracker';
import { OPERATORS, setTarget } from './targets';
import type { ReportValidator } from './validation-consumer';

/** a catalog is checked whole by publishCatalog (INVALID_CATALOG lists every problem): the schema asks for an object */
const CatalogBody = Type.Object({});
const TargetBody = Strict({
  indicator: Code,
  orgUnit: OrgUnitCode,
  period: PeriodCode,
  operator: OneOf(OPERATORS),
  value: Type.Number({ minimum: -1e15, maximum: 1e15 }),
  change: Type.Optional(OneOf(['PREVIOUS_YEAR'])),
  figures: Type.Optional(Figures),
  note: Type.Optional(Type.String({ maxLength: 1000 })),
});
const TargetsQuery = Strict({ orgUnit: OrgUnitCode, period: Type.Optional(PeriodCode), indicator: Type.Optional(Code) });
const AlertsQuery = Strict({ orgUnit: OrgUnitCode, period: Type.Optional(PeriodCode) });
const CompositeParams = Type.Object({ code: Code });
const CompositeQuery = Strict({
  period: PeriodCode,
  level: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
  parent: Type.Optional(OrgUnitCode),
  hierarchy: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
  figures: Type.Optional(Figures),
  decimals: Type.Optional(DigitsParam(2)),
  missing: Type.Optional(OneOf(['NULL', 'ZERO'])),
  after: Type.Optional(PositionParam),
});

export interface IndicatorRouteDeps {
  store: EventStore;
  registry: CatalogRegistry;
  nudgeRelay: () => void;
  /** hierarchy and rollups, once connected (targets, alerts and composites need them) */
  queries: () => { hierarchy: HierarchyQuery; rollups: RollupQuery };
  validator: ReportValidator;
  targets: () => { find(filter: Record<string, string>): Promise<TargetDoc[]> };
}

/** The target as the API shows it: its definition, version and latest outcome (null until evaluated on data). */
export function targetView(t: TargetDoc) {
  const current = t.status !== undefined && t.statusTargetVersion === t.version;
  return {
    indicator: t.indicator,
    orgUnit: t.orgUnit,
    period: t.period,
    hierarchy: t.hierarchy,
    operator: t.operator,
    value: t.value,
    change: t.change,
    figures: t.figures,
    note: t.note,
    version: t.version,
    setAt: t.setAt,
    status: current ? t.status! : null,
    measured: current ? (t.measured ?? null) : null,
    actual: current ? (t.actual ?? null) : null,
    previousValue: current ? (t.previousValue ?? null) : null,
    evaluatedAt: current ? (t.statusAt ?? null) : null,
  };
}

export function indicatorRoutes(deps: IndicatorRouteDeps): FastifyPluginAsync {
  return async (plain) => {
    const app = plain.withTypeProvider<TypeBoxTypeProvider>();
    app.put('/catalog', { schema: { body: CatalogBody } }, async (request, reply) => {
      const answer = await publishAndAnswer(deps, request.body, eventContextOf(request));
      return reply.status(answer.status).send(answer.body);
    });

    app.get('/catalog', { schema: { querystring: CatalogAskQuery } }, async (request) => catalogAsked(deps.registry, request.query));

    app.get('/catalog/versions', async () =>
      deps.registry.all().map((c) => ({ version: c.version, legalBasis: c.legalBasis, effectiveFrom: c.effectiveFrom ?? null, effectiveTo: c.effectiveTo ?? null })),
    );

    app.put(
      '/targets',
      { schema: { body: TargetBody } },
      async (request, reply) => {
        const result = await setTarget({ store: deps.store, registry: deps.registry, hierarchy: deps.queries().hierarchy }, request.body, eventContextOf(request));
        if (result.created) deps.nudgeRelay();
        return reply.status(result.created ? 201 : 200).send({ ...result.target, version: result.version, position: result.position });
      },
    );

    app.get(
      '/targets',
      { schema: { querystring: TargetsQuery } },
      async (request) => {
        const q = request.query;
        const rows = await deps.targets().find({ orgUnit: q.orgUnit, ...(q.period ? { period: q.period } : {}), ...(q.indicator ? { indicator: q.indicator } : {}) });
        return { orgUnit: q.orgUnit, targets: rows.map(targetView).sort(byKey) };
      },
    );

    // what needs attention at a unit: targets missed (latest outcome) and the validation violations of its reports
    app.get(
      '/alerts',
      { schema: { querystring: AlertsQuery } },
      async (request) => {
        const q = request.query;
        const filter = { orgUnit: q.orgUnit, ...(q.period ? { period: q.period } : {}) };
        const targets = (await deps.targets().find(filter)).map(targetView).filter((t) => t.status === 'MISSED').sort(byKey);
        const reports = (await deps.validator.violations.find(filter)).filter((r) => r.violations.length > 0);
        return {
          orgUnit: q.orgUnit,
          targetsMissed: targets,
          violations: reports
            .map((r) => ({ reportId: r.reportId, reportVersion: r.reportVersion, template: r.template, period: r.period, time: r.time, violations: r.violations }))
            .sort((a, b) => (a.reportId < b.reportId ? -1 : a.reportId > b.reportId ? 1 : 0)),
        };
      },
    );

    app.get(
      '/composites/:code',
      { schema: { params: CompositeParams, querystring: CompositeQuery } },
      async (request) => {
        const { code } = request.params;
        const q = request.query;
        const { hierarchy, rollups } = deps.queries();
        return rankComposite(
          { registry: deps.registry, hierarchy, rollups },
          {
            code,
            period: q.period,
            level: q.level ?? 'province',
            ...(q.parent ? { parent: q.parent } : {}),
            ...(q.hierarchy ? { hierarchy: q.hierarchy } : {}),
            ...(q.figures ? { figures: q.figures } : {}),
            ...(q.decimals ? { decimals: Number(q.decimals) } : {}),
            ...(q.missing ? { missing: q.missing } : {}),
            ...(q.after ? { after: Number(q.after) } : {}),
          },
        );
      },
    );
  };
}

const byKey = (a: { indicator: string; period: string }, b: { indicator: string; period: string }): number =>
  a.period < b.period ? -1 : a.period > b.period ? 1 : a.indicator < b.indicator ? -1 : a.indicator > b.indicator ? 1 : 0;
