import type { HierarchyQuery, RollupQuery } from '@tally/contracts';
import type { EventStore } from '@tally/eventstore';
import { eventContextOf } from '@tally/runtime';
import type { FastifyPluginAsync } from 'fastify';
import { CatalogAskQuery, catalogAsked, type CatalogAsk } from './catalog-asked';
import type { CatalogRegistry } from './catalog-registry';
import { rankComposite } from './composites';
import { publishAndAnswer } from './publish-answer';
import type { TargetDoc } from './target-tracker';
import { OPERATORS, setTarget, type SetTargetInput } from './targets';
import type { ReportValidator } from './validation-consumer';

const ORG_UNIT = '^(VN|[0-9]{2,5})$';
const CODE = '^[A-Z][A-Z0-9_]{0,63}$';
const PERIOD = '^[0-9]{4}(S[12]|Q[1-4]|[0-9]{2})?$';
const FIGURES = ['estimate', 'official', 'latest'];

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
  return async (app) => {
    app.put('/catalog', { schema: { body: { type: 'object' } } }, async (request, reply) => {
      const answer = await publishAndAnswer(deps, request.body, eventContextOf(request));
      return reply.status(answer.status).send(answer.body);
    });

    app.get('/catalog', { schema: { querystring: CatalogAskQuery } }, async (request) => catalogAsked(deps.registry, request.query as CatalogAsk));

    app.get('/catalog/versions', async () =>
      deps.registry.all().map((c) => ({ version: c.version, legalBasis: c.legalBasis, effectiveFrom: c.effectiveFrom ?? null, effectiveTo: c.effectiveTo ?? null })),
    );

    app.put(
      '/targets',
      {
        schema: {
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['indicator', 'orgUnit', 'period', 'operator', 'value'],
            properties: {
              indicator: { type: 'string', pattern: CODE },
              orgUnit: { type: 'string', pattern: ORG_UNIT },
              period: { type: 'string', pattern: PERIOD },
              operator: { type: 'string', enum: [...OPERATORS] },
              value: { type: 'number', minimum: -1e15, maximum: 1e15 },
              change: { type: 'string', enum: ['PREVIOUS_YEAR'] },
              figures: { type: 'string', enum: FIGURES },
              note: { type: 'string', maxLength: 1000 },
            },
          },
        },
      },
      async (request, reply) => {
        const result = await setTarget({ store: deps.store, registry: deps.registry, hierarchy: deps.queries().hierarchy }, request.body as SetTargetInput, eventContextOf(request));
        if (result.created) deps.nudgeRelay();
        return reply.status(result.created ? 201 : 200).send({ ...result.target, version: result.version, position: result.position });
      },
    );

    app.get(
      '/targets',
      {
        schema: {
          querystring: {
            type: 'object',
            additionalProperties: false,
            required: ['orgUnit'],
            properties: { orgUnit: { type: 'string', pattern: ORG_UNIT }, period: { type: 'string', pattern: PERIOD }, indicator: { type: 'string', pattern: CODE } },
          },
        },
      },
      async (request) => {
        const q = request.query as { orgUnit: string; period?: string; indicator?: string };
        const rows = await deps.targets().find({ orgUnit: q.orgUnit, ...(q.period ? { period: q.period } : {}), ...(q.indicator ? { indicator: q.indicator } : {}) });
        return { orgUnit: q.orgUnit, targets: rows.map(targetView).sort(byKey) };
      },
    );

    // what needs attention at a unit: targets missed (latest outcome) and the validation violations of its reports
    app.get(
      '/alerts',
      {
        schema: {
          querystring: {
            type: 'object',
            additionalProperties: false,
            required: ['orgUnit'],
            properties: { orgUnit: { type: 'string', pattern: ORG_UNIT }, period: { type: 'string', pattern: PERIOD } },
          },
        },
      },
      async (request) => {
        const q = request.query as { orgUnit: string; period?: string };
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
      {
        schema: {
          params: { type: 'object', properties: { code: { type: 'string', pattern: CODE } } },
          querystring: {
            type: 'object',
            additionalProperties: false,
            required: ['period'],
            properties: {
              period: { type: 'string', pattern: PERIOD },
              level: { type: 'string', minLength: 1, maxLength: 32 },
              parent: { type: 'string', pattern: ORG_UNIT },
              hierarchy: { type: 'string', minLength: 1, maxLength: 32 },
              figures: { type: 'string', enum: FIGURES },
              decimals: { type: 'string', pattern: '^[0-9]{1,2}$' },
              missing: { type: 'string', enum: ['NULL', 'ZERO'] },
              after: { type: 'string', pattern: '^[0-9]{1,15}$' },
            },
          },
        },
      },
      async (request) => {
        const { code } = request.params as { code: string };
        const q = request.query as { period: string; level?: string; parent?: string; hierarchy?: string; figures?: 'estimate' | 'official' | 'latest'; decimals?: string; missing?: 'NULL' | 'ZERO'; after?: string };
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
