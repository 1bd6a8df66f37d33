import { TallyError, type EventContext, type HierarchyQuery, type RollupQuery } from '@tally/contracts';
import type { HierarchyChange, HierarchyRegistry } from '@tally/core';
import { eventContextOf } from '@tally/runtime';
import type { FastifyPluginAsync } from 'fastify';
import type { CompletenessReport, CompletenessRequest } from './completeness';
import { viewOf } from './hierarchy-query';

const ORG_UNIT = '^(VN|[0-9]{2,5})$';
const HIERARCHY = { type: 'string', pattern: '^[A-Za-z0-9_-]{1,32}$' };
const FIGURES = { type: 'string', enum: ['estimate', 'official', 'latest'] };
/** an ISO 8601 date or instant (checked further by parseAsOf) */
const AS_OF = { type: 'string', minLength: 10, maxLength: 40, pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt][0-9:.]+([Zz]|[+-][0-9]{2}:?[0-9]{2})?)?$' };

const CODE = { type: 'string', pattern: '^(VN|[0-9]{2,5})$' };
const NAME = { type: 'string', minLength: 1, maxLength: 200 };
const TYPE = { type: 'string', minLength: 1, maxLength: 50 };
const LEVEL = { type: 'string', pattern: '^[a-z_]{1,32}$' };
const kind = (k: string) => ({ type: 'string', const: k });
/** HierarchyChange (core/hierarchy/types.ts); the structure rules are the domain's (Hierarchy.withChange) */
const CHANGE = {
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

export function hierarchyRollupRoutes(deps: {
  rollups: RollupQuery;
  completeness: (request: CompletenessRequest) => Promise<CompletenessReport>;
  hierarchy: HierarchyQuery;
  registry: () => HierarchyRegistry;
  changeHierarchy: (version: string, change: HierarchyChange, ctx: EventContext) => Promise<{ position: number; version: number }>;
}): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/rollups',
      {
        schema: {
          querystring: {
            type: 'object',
            additionalProperties: false,
            required: ['orgUnit', 'period'],
            properties: {
              orgUnit: { type: 'string', pattern: ORG_UNIT },
              period: { type: 'string', maxLength: 8 },
              hierarchy: HIERARCHY,
              figures: FIGURES,
              after: { type: 'string', pattern: '^[0-9]{1,15}$' },
              asOf: AS_OF,
            },
          },
        },
      },
      async (request) => {
        const q = request.query as { orgUnit: string; period: string; hierarchy?: string; figures?: 'estimate' | 'official' | 'latest'; after?: string; asOf?: string };
        return deps.rollups.rollup({
          orgUnit: q.orgUnit,
          period: q.period,
          ...(q.hierarchy ? { hierarchy: q.hierarchy } : {}),
          ...(q.figures ? { figures: q.figures } : {}),
          ...(q.after ? { after: Number(q.after) } : {}),
          ...(q.asOf ? { asOf: q.asOf } : {}),
        });
      },
    );

    app.get(
      '/completeness',
      {
        schema: {
          querystring: {
            type: 'object',
            additionalProperties: false,
            required: ['orgUnit', 'period', 'template'],
            properties: {
              orgUnit: { type: 'string', pattern: ORG_UNIT },
              period: { type: 'string', maxLength: 8 },
              template: { type: 'string', pattern: '^[A-Z][A-Z0-9_]{0,63}$' },
              hierarchy: HIERARCHY,
              figures: FIGURES,
              asOf: AS_OF,
            },
          },
        },
      },
      async (request) => {
        const q = request.query as CompletenessRequest;
        return deps.completeness({
          orgUnit: q.orgUnit,
          period: q.period,
          template: q.template,
          ...(q.hierarchy ? { hierarchy: q.hierarchy } : {}),
          ...(q.figures ? { figures: q.figures } : {}),
          ...(q.asOf ? { asOf: q.asOf } : {}),
        });
      },
    );

    app.get('/hierarchies', async () => deps.hierarchy.versions());

    // a change of the map after go-live: validated on the current map (unknown unit: UNKNOWN_ORG_UNIT; a change
    // that would break the structure, e.g. retiring a unit that has children: INVALID_REQUEST), appended as an
    // event; answers once the rollups follow it (data already rolled up moved to the new ancestors)
    app.post(
      '/hierarchies/:version/changes',
      {
        schema: {
          params: { type: 'object', properties: { version: HIERARCHY }, required: ['version'] },
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['change', 'reason'],
            properties: { change: CHANGE, reason: { type: 'string', minLength: 3, maxLength: 500 } },
          },
        },
      },
      async (request, reply) => {
        const { version } = request.params as { version: string };
        const body = request.body as { change: HierarchyChange; reason: string };
        if (!deps.registry().get(version)) throw new TallyError('UNKNOWN_HIERARCHY', `unknown hierarchy ${version}; known: ${deps.registry().ids().join(', ')}`, undefined, 404);
        const r = await deps.changeHierarchy(version, body.change, eventContextOf(request, body.reason));
        return reply.status(201).send({ hierarchy: version, change: body.change, position: r.position, version: r.version });
      },
    );

    app.get(
      '/org-units',
      {
        schema: {
          querystring: {
            type: 'object',
            additionalProperties: false,
            required: ['search'],
            properties: { search: { type: 'string', minLength: 1, maxLength: 100 }, hierarchy: HIERARCHY, limit: { type: 'string', pattern: '^[0-9]{1,3}$' } },
          },
        },
      },
      async (request) => {
        const q = request.query as { search: string; hierarchy?: string; limit?: string };
        const h = q.hierarchy ? deps.registry().get(q.hierarchy) : deps.registry().forDate(new Date().toISOString().slice(0, 10));
        if (!h) throw new TallyError('UNKNOWN_HIERARCHY', `unknown hierarchy ${q.hierarchy}`);
        return { hierarchy: h.version.id, units: h.search(q.search, { limit: Number(q.limit ?? 20) }).map(viewOf) };
      },
    );

    app.get(
      '/org-units/:code',
      {
        schema: {
          params: { type: 'object', properties: { code: { type: 'string', pattern: ORG_UNIT } }, required: ['code'] },
          querystring: { type: 'object', additionalProperties: false, properties: { hierarchy: HIERARCHY } },
        },
      },
      async (request) => {
        const { code } = request.params as { code: string };
        const q = request.query as { hierarchy?: string };
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
      },
    );
  };
}
