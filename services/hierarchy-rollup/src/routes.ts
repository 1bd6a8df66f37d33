import { TallyError, type EventContext, type HierarchyQuery, type RollupQuery } from '@tally/contracts';
import type { HierarchyChange, HierarchyRegistry } from '@tally/core';
import { Code, DigitsParam, Figures, HierarchyId, OrgUnitCode, Period, Type, eventContextOf, type TypeBoxTypeProvider } from '@tally/runtime';
import type { FastifyPluginAsync } from 'fastify';
import type { CompletenessReport, CompletenessRequest } from './completeness';
import { viewOf } from './hierarchy-query';

/** an ISO 8601 date or instant (checked further by parseAsOf) */
const AsOf = Type.String({ minLength: 10, maxLength: 40, pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt][0-9:.]+([Zz]|[+-][0-9]{2}:?[0-9]{2})?)?$' });

const CODE = OrgUnitCode;
const NAME = { type: 'string', minLength: 1, maxLength: 200 };
const TYPE = { type: 'string', minLength: 1, maxLength: 50 };
const LEVEL = { type: 'string', pattern: '^[a-z_]{1,32}$' };
const kind = (k: string) => ({ type: 'string', const: k });
/** HierarchyChange (core/hierarchy/types.ts); the structure rules are the domain's (Hierarchy.withChange) */
const CHANGE_SCHEMA = {
  type: 'object',
  required: ['kind'],
  oneOf: [
    { type: 'object', additionalProperties: false, required: ['kind', 'code', 'name'], properties: { kind: kind('rename'), code: CODE, name: NAME, type: TYPE } },
    { type: 'object', additionalProperties: false, required: ['kind', 'code', 'newParentCode'], properties: { kind: kind('move'), code: CODE, newParentCode: CODE } },
    {
      type: 'object',
      additionalProperties: false,
      required: ['kind', 'unit'],
      properties: {
        kind: kind('create'),
        unit: {
          type: 'object',
          additionalProperties: false,
          required: ['code', 'name', 'type', 'level', 'parentCode'],
          properties: { code: CODE, name: NAME, type: TYPE, level: LEVEL, parentCode: CODE, shortName: NAME },
        },
      },
    },
    { type: 'object', additionalProperties: false, required: ['kind', 'code'], properties: { kind: kind('retire'), code: CODE } },
    {
      type: 'object',
      additionalProperties: false,
      required: ['kind', 'codes', 'into'],
      properties: { kind: kind('merge'), codes: { type: 'array', minItems: 1, maxItems: 100, items: CODE }, into: CODE },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['kind', 'code', 'parts'],
      properties: {
        kind: kind('split'),
        code: CODE,
        parts: {
          type: 'array',
          minItems: 1,
          maxItems: 50,
          items: { type: 'object', additionalProperties: false, required: ['code', 'name', 'type'], properties: { code: CODE, name: NAME, type: TYPE, parentCode: CODE } },
        },
        assign: { type: 'object', maxProperties: 1000, propertyNames: CODE, additionalProperties: CODE },
      },
    },
  ],
};
/** typed as core's HierarchyChange: the JSON Schema above states it member by member (oneOf, exact) */
const Change = Type.Unsafe<HierarchyChange>(CHANGE_SCHEMA);

const RollupQuery = Type.Object(
  {
    orgUnit: OrgUnitCode,
    period: Period,
    hierarchy: Type.Optional(HierarchyId),
    figures: Type.Optional(Figures),
    after: Type.Optional(DigitsParam(15)),
    asOf: Type.Optional(AsOf),
  },
  { additionalProperties: false },
);
const CompletenessQuery = Type.Object(
  { orgUnit: OrgUnitCode, period: Period, template: Code, hierarchy: Type.Optional(HierarchyId), figures: Type.Optional(Figures), asOf: Type.Optional(AsOf) },
  { additionalProperties: false },
);
const ChangeParams = Type.Object({ version: HierarchyId });
const ChangeBody = Type.Object({ change: Change, reason: Type.String({ minLength: 3, maxLength: 500 }) }, { additionalProperties: false });
const OrgUnitSearch = Type.Object({ search: Type.String({ minLength: 1, maxLength: 100 }), hierarchy: Type.Optional(HierarchyId), limit: Type.Optional(DigitsParam(3)) }, { additionalProperties: false });
const OrgUnitParams = Type.Object({ code: OrgUnitCode });
const HierarchyQueryString = Type.Object({ hierarchy: Type.Optional(HierarchyId) }, { additionalProperties: false });

export function hierarchyRollupRoutes(deps: {
  rollups: RollupQuery;
  completeness: (request: CompletenessRequest) => Promise<CompletenessReport>;
  hierarchy: HierarchyQuery;
  registry: () => HierarchyRegistry;
  changeHierarchy: (version: string, change: HierarchyChange, ctx: EventContext) => Promise<{ position: number; version: number }>;
}): FastifyPluginAsync {
  return async (plain) => {
    const app = plain.withTypeProvider<TypeBoxTypeProvider>();
    app.get('/rollups', { schema: { querystring: RollupQuery } }, async (request) => {
      const q = request.query;
      return deps.rollups.rollup({
        orgUnit: q.orgUnit,
        period: q.period,
        ...(q.hierarchy ? { hierarchy: q.hierarchy } : {}),
        ...(q.figures ? { figures: q.figures } : {}),
        ...(q.after ? { after: Number(q.after) } : {}),
        ...(q.asOf ? { asOf: q.asOf } : {}),
      });
    });

    app.get('/completeness', { schema: { querystring: CompletenessQuery } }, async (request) => {
      const q = request.query;
      return deps.completeness({
        orgUnit: q.orgUnit,
        period: q.period,
        template: q.template,
        ...(q.hierarchy ? { hierarchy: q.hierarchy } : {}),
        ...(q.figures ? { figures: q.figures } : {}),
        ...(q.asOf ? { asOf: q.asOf } : {}),
      });
    });

    app.get('/hierarchies', async () => deps.hierarchy.versions());

    // a change of the map after go-live: validated on the current map (unknown unit: UNKNOWN_ORG_UNIT; a change
    // that would break the structure, e.g. retiring a unit that has children: INVALID_REQUEST), appended as an
    // event; answers once the rollups follow it (data already rolled up moved to the new ancestors)
    app.post('/hierarchies/:version/changes', { schema: { params: ChangeParams, body: ChangeBody } }, async (request, reply) => {
      const { version } = request.params;
      const body = request.body;
      if (!deps.registry().get(version)) throw new TallyError('UNKNOWN_HIERARCHY', `unknown hierarchy ${version}; known: ${deps.registry().ids().join(', ')}`, undefined, 404);
      const r = await deps.changeHierarchy(version, body.change, eventContextOf(request, body.reason));
      return reply.status(201).send({ hierarchy: version, change: body.change, position: r.position, version: r.version });
    });

    app.get('/org-units', { schema: { querystring: OrgUnitSearch } }, async (request) => {
      const q = request.query;
      const h = q.hierarchy ? deps.registry().get(q.hierarchy) : deps.registry().forDate(new Date().toISOString().slice(0, 10));
      if (!h) throw new TallyError('UNKNOWN_HIERARCHY', `unknown hierarchy ${q.hierarchy}`);
      return { hierarchy: h.version.id, units: h.search(q.search, { limit: Number(q.limit ?? 20) }).map(viewOf) };
    });

    app.get('/org-units/:code', { schema: { params: OrgUnitParams, querystring: HierarchyQueryString } }, async (request) => {
      const { code } = request.params;
      const q = request.query;
      const h = q.hierarchy ? deps.registry().get(q.hierarchy) : deps.registry().forDate(new Date().toISOString().slice(0, 10));
      if (!h) throw new TallyError('UNKNOWN_HIERARCHY', `unknown hierarchy ${q.hierarchy}`);
      const unit = h.get(code);
      if (!unit) throw new TallyError('UNKNOWN_ORG_UNIT', `unknown org unit ${code} in hierarchy ${h.version.id}`, undefined, 404);
      const parent = unit.parentCode ? h.get(unit.parentCode) : undefined;
      return {
        hierarchy: h.version.id,
        unit: viewOf(unit),
        parent: parent ? viewOf(parent) : null,
        children: h.childrenOf(code).map(viewOf),
      };
    });
  };
}
