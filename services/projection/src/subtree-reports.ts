import { TallyError, type HierarchyQuery } from '@tally/contracts';
import { parsePeriod } from '@tally/core';
import type { Collection, Filter } from '@tally/readstore';
import type { ReportViewDoc } from './report-view';

/** Below this many units, each unit's reports are read by its index; above, the filtered reports are scanned. */
const PER_UNIT_MAX = 300;
const SCAN_BATCH = 1000;

export interface SubtreeAsk {
  orgUnit: string;
  period?: string;
  template?: string;
  status?: string;
  /** a reportId: the page starts after it */
  after?: string;
  limit: number;
}

export interface SubtreePage {
  hierarchy: string;
  reports: ReportViewDoc[];
  /** the reportId to ask `after` for the next page; undefined on the last page */
  next?: string;
}

/**
 * The reports of a unit's whole subtree (the unit and every unit below it) on the map of the period asked for
 * (without a period, the map in force today), filtered by template/period/status, in reportId order, a page at
 * a time. The caller's right to the unit is the access policy's (the subtree of a unit it may see is all visible).
 */
export async function subtreeReports(deps: { reports: Collection<ReportViewDoc>; hierarchy: HierarchyQuery }, ask: SubtreeAsk): Promise<SubtreePage> {
  let date = new Date().toISOString().slice(0, 10);
  if (ask.period) {
    const period = parsePeriod(ask.period);
    if (!period) throw new TallyError('INVALID_PERIOD', `invalid period ${ask.period}`);
    date = period.endDate;
  }
  const version = await deps.hierarchy.versionFor(date);
  const units = await subtreeOf(deps.hierarchy, version, ask.orgUnit);
  const filter: Filter = {};
  if (ask.period) filter.period = ask.period;
  if (ask.template) filter.template = ask.template;
  if (ask.status) filter.status = ask.status;
  const after = (r: ReportViewDoc) => !ask.after || r.reportId > ask.after;
  const found: ReportViewDoc[] = [];
  if (units.size <= PER_UNIT_MAX) {
    for (const unit of units) found.push(...(await deps.reports.find({ ...filter, orgUnit: unit }, { limit: 100_000 })).filter(after));
    found.sort((a, b) => (a.reportId < b.reportId ? -1 : 1));
  } else {
    for (let skip = 0; found.length <= ask.limit; skip += SCAN_BATCH) {
      const batch = await deps.reports.find(filter, { sort: { reportId: 1 }, skip, limit: SCAN_BATCH });
      found.push(...batch.filter((r) => units.has(r.orgUnit) && after(r)));
      if (batch.length < SCAN_BATCH) break;
    }
  }
  const reports = found.slice(0, ask.limit);
  return { hierarchy: version, reports, ...(found.length > ask.limit ? { next: reports[reports.length - 1]!.reportId } : {}) };
}

/** The unit and every unit below it; the lowest level's units are not asked for children (they have none). */
async function subtreeOf(hierarchy: HierarchyQuery, version: string, code: string): Promise<Set<string>> {
  const root = await hierarchy.unit(version, code);
  if (!root) throw new TallyError('UNKNOWN_ORG_UNIT', `unknown org unit ${code} in hierarchy ${version}`);
  const levels = (await hierarchy.versions()).find((v) => v.id === version)?.levels ?? [];
  const lowest = levels[levels.length - 1];
  const out = new Set<string>([root.code]);
  let frontier = root.level === lowest ? [] : [root.code];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const parent of frontier) {
      for (const child of await hierarchy.children(version, parent)) {
        out.add(child.code);
        if (child.level !== lowest) next.push(child.code);
      }
    }
    frontier = next;
  }
  return out;
}
