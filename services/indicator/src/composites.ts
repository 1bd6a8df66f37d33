import { TallyError, type HierarchyQuery, type OrgUnitView, type RollupQuery } from '@tally/contracts';
import { computeComposite, parsePeriod, rankUnits, type ComponentScore } from '@tally/core';
import type { CatalogRegistry } from './catalog-registry';

/**
 * A composite index (DTI-style) for every unit at one level under a parent, from each unit's rollup,
 * ranked by descending score with ties sharing a rank (competition ranking).
 */
export interface CompositeRequest {
  code: string;
  period: string;
  /** level of the units ranked, e.g. province */
  level: string;
  /** the units under this one (default VN) */
  parent?: string;
  hierarchy?: string;
  figures?: 'estimate' | 'official' | 'latest';
  /** compare scores after rounding to this many decimals (published tables are rounded) */
  decimals?: number;
  /** a missing component: NULL (default, the unit gets no score) or ZERO */
  missing?: 'NULL' | 'ZERO';
  after?: number;
}

export interface CompositeRanking {
  code: string;
  name: string;
  period: string;
  hierarchy: string;
  level: string;
  parent: string;
  figures: 'estimate' | 'official' | 'latest';
  catalogVersion: string;
  components: Array<{ code: string; name: string | null; maxPoints: number; indicator: string | null; expression: string | null }>;
  units: Array<{ orgUnit: string; name: string; rank: number | null; score: number | null; components: Array<Pick<ComponentScore, 'code' | 'earned' | 'value' | 'clamped'>> }>;
}

/** At most this many units are ranked in one request (a level under one parent: 34 provinces, 3,321 communes). */
export const MAX_RANKED_UNITS = 5000;
const CONCURRENCY = 16;

export async function rankComposite(deps: { registry: CatalogRegistry; hierarchy: HierarchyQuery; rollups: RollupQuery }, req: CompositeRequest): Promise<CompositeRanking> {
  const period = parsePeriod(req.period);
  if (!period) throw new TallyError('INVALID_PERIOD', `"${req.period}" is not a period code`);
  const catalog = deps.registry.forDate(period.endDate);
  if (!catalog) throw new TallyError('NO_CATALOG', `no catalog is in force for period ${req.period}`);
  const index = catalog.compositeIndices?.find((c) => c.code === req.code);
  if (!index) throw new TallyError('NOT_FOUND', `no composite index ${req.code} in catalog ${catalog.version}`);
  const hierarchy = req.hierarchy ?? (await deps.hierarchy.versionFor(period.endDate));
  const versions = await deps.hierarchy.versions();
  const version = versions.find((v) => v.id === hierarchy);
  if (!version) throw new TallyError('UNKNOWN_HIERARCHY', `unknown hierarchy ${hierarchy}`);
  if (!version.levels.includes(req.level)) {
    throw new TallyError('INVALID_REQUEST', `level "${req.level}" is not a level of hierarchy ${hierarchy} (${version.levels.join(', ')})`, undefined, 422);
  }
  const parent = req.parent ?? 'VN';
  const parentUnit = await deps.hierarchy.unit(hierarchy, parent);
  if (!parentUnit) throw new TallyError('UNKNOWN_ORG_UNIT', `no unit ${parent} in hierarchy ${hierarchy}`);
  const units = await unitsAtLevel(deps.hierarchy, hierarchy, parentUnit, req.level, version.levels);
  const figures = req.figures ?? 'latest';

  const scores: Array<{ unit: OrgUnitView; score: number | null; components: ComponentScore[] }> = [];
  for (let i = 0; i < units.length; i += CONCURRENCY) {
    const chunk = units.slice(i, i + CONCURRENCY);
    scores.push(
      ...(await Promise.all(
        chunk.map(async (unit) => {
          const r = await deps.rollups.rollup({ orgUnit: unit.code, period: req.period, hierarchy, figures, ...(req.after ? { after: req.after } : {}) });
          const score = computeComposite(index, (element, combo) => r.dataElements[combo === undefined ? element : `${element}.${combo}`], {
            indicators: catalog.indicators,
            missing: req.missing ?? 'NULL',
          });
          return { unit, score: score.value, components: score.components };
        }),
      )),
    );
  }
  const ranked = rankUnits(
    scores.map((s) => ({ unit: s.unit.code, score: s.score })),
    req.decimals === undefined ? {} : { decimals: req.decimals },
  );
  const byCode = new Map(scores.map((s) => [s.unit.code, s]));
  return {
    code: index.code,
    name: index.name,
    period: req.period,
    hierarchy,
    level: req.level,
    parent,
    figures,
    catalogVersion: catalog.version,
    components: index.components.map((c) => ({ code: c.code, name: c.name ?? null, maxPoints: c.maxPoints, indicator: c.indicator ?? null, expression: c.expression ?? null })),
    units: ranked.map((r) => {
      const s = byCode.get(r.unit)!;
      return {
        orgUnit: r.unit,
        name: s.unit.name,
        rank: r.rank,
        score: r.score,
        components: s.components.map((c) => ({ code: c.code, earned: c.earned, value: c.value, clamped: c.clamped })),
      };
    }),
  };
}

/** The descendants of `parent` at `level`, walking down the tree level by level. */
async function unitsAtLevel(h: HierarchyQuery, hierarchy: string, parent: OrgUnitView, level: string, levels: string[]): Promise<OrgUnitView[]> {
  const target = levels.indexOf(level);
  if (levels.indexOf(parent.level) >= target) return parent.level === level ? [parent] : [];
  let frontier: OrgUnitView[] = [parent];
  const out: OrgUnitView[] = [];
  while (frontier.length > 0) {
    const next: OrgUnitView[] = [];
    for (const u of frontier) {
      for (const c of await h.children(hierarchy, u.code)) {
        if (c.level === level) out.push(c);
        else if (levels.indexOf(c.level) < target) next.push(c);
      }
    }
    if (out.length > MAX_RANKED_UNITS) throw new TallyError('INVALID_REQUEST', `more than ${MAX_RANKED_UNITS} units to rank: narrow it with parent=`, undefined, 422);
    frontier = next;
  }
  return out;
}
