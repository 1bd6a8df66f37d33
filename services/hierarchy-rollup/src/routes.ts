import { TallyError, type HierarchyQuery, type RollupQuery } from '@tally/contracts';
import type { HierarchyRegistry } from '@tally/core';
import type { FastifyPluginAsync } from 'fastify';
import type { CompletenessReport, CompletenessRequest } from './completeness';
import { viewOf } from './hierarchy-query';

const ORG_UNIT = '^(VN|[0-9]{2,5})$';
const HIERARCHY = { type: 'string', pattern: '^[A-Za-z0-9_-]{1,32}$' };
const FIGURES = { type: 'string', enum: ['estimate', 'official', 'latest'] };
/** an ISO 8601 date or instant (checked further by parseAsOf) */
const AS_OF = { type: 'string', minLength: 10, maxLength: 40, pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt][0-9:.]+([Zz]|[+-][0-9]{2}:?[0-9]{2})?)?$' };

export function hierarchyRollupRoutes(deps: {
  rollups: RollupQuery;
  completeness: (request: CompletenessRequest) => Promise<CompletenessReport>;
  hierarchy: HierarchyQuery;
  registry: () => HierarchyRegistry;
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
