import { TallyError, type CatalogQuery, type HierarchyQuery } from '@tally/contracts';
import { dueList, isIsoDate, parsePeriod, type DueReport } from '@tally/core';
import type { Collection } from '@tally/readstore';
import { IsoDate, OrgUnitCode, Strict, Type, type TypeBoxTypeProvider } from '@tally/runtime';
import type { FastifyPluginAsync } from 'fastify';
import type { ReportViewDoc } from './report-view';

export interface DueDeps {
  reports: Collection<ReportViewDoc>;
  catalog: CatalogQuery;
  hierarchy: HierarchyQuery;
}

/**
 * `GET /due?orgUnit=&date=`: what a reporting unit has to report (core/report/due.ts): the templates its level
 * reports, for the current period and the three before, each tier's deadline and the status (open, due, late,
 * submitted, returned, approved, locked). `date` (default today, UTC) is the day the list is drawn up for.
 */
const DueQuery = Strict({ orgUnit: OrgUnitCode, date: Type.Optional(IsoDate) });

export function dueRoutes(deps: DueDeps): FastifyPluginAsync {
  return async (plain) => {
    const app = plain.withTypeProvider<TypeBoxTypeProvider>();
    app.get(
      '/due',
      { schema: { querystring: DueQuery } },
      async (request) => {
        const q = request.query;
        const today = q.date ?? new Date().toISOString().slice(0, 10);
        if (!isIsoDate(today)) throw new TallyError('INVALID_REQUEST', `invalid date ${today}`);
        const versions = await deps.hierarchy.versions();
        const catalog = await deps.catalog.catalogFor(today);
        if (!catalog) throw new TallyError('NO_CATALOG', 'no catalog is in force');
        const versionOf = (period: string) => {
          const end = parsePeriod(period)?.endDate ?? today;
          return versions.find((v) => v.validFrom <= end && (!v.validTo || end <= v.validTo)) ?? versions[versions.length - 1];
        };
        const levelOf = new Map<string, string | undefined>();
        for (const v of versions) levelOf.set(v.id, (await deps.hierarchy.unit(v.id, q.orgUnit))?.level);
        if ([...levelOf.values()].every((l) => l === undefined)) throw new TallyError('UNKNOWN_ORG_UNIT', `unknown org unit ${q.orgUnit}`);
        const reports: DueReport[] = (await deps.reports.find({ orgUnit: q.orgUnit }, { limit: 1000 })).map((r) => ({
          template: r.template,
          period: r.period,
          status: r.status,
          reportId: r.reportId,
          version: r.version,
        }));
        const items = dueList({
          templates: catalog.templates,
          unitLevel: (period) => {
            const v = versionOf(period);
            return v ? levelOf.get(v.id) : undefined;
          },
          levels: (period) => versionOf(period)?.levels ?? [],
          today,
          reports,
        });
        return { orgUnit: q.orgUnit, date: today, catalogVersion: catalog.version, items };
      },
    );
  };
}
