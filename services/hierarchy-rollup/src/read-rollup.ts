import { TallyError, type CatalogQuery, type CompletenessView, type HierarchyQuery, type IndicatorValue, type RollupRequest, type RollupView } from '@tally/contracts';
import { computeIndicator, parsePeriod, publicKey, type Catalog } from '@tally/core';
import type { Collection } from '@tally/readstore';
import type { ConsumerProgress } from '@tally/runtime';
import { CELLS, cellKey, type FiguresVariant, type RollupCellDoc } from './rollup-cells';

export interface ReadRollupDeps {
  cells: Collection<RollupCellDoc>;
  catalog: CatalogQuery;
  hierarchy: HierarchyQuery;
  progress: ConsumerProgress;
  readYourWritesTimeoutMs: number;
}

/** Merges a cell's partition shares into one set of totals. */
export function mergeShares(shares: RollupCellDoc[]): Pick<RollupCellDoc, 'sums' | 'counts' | 'received' | 'onTime' | 'applied'> {
  const out = { sums: {} as Record<string, number>, counts: {} as Record<string, number>, received: {} as Record<string, number>, onTime: {} as Record<string, number>, applied: 0 };
  for (const s of shares) {
    for (const field of ['sums', 'counts', 'received', 'onTime'] as const) {
      for (const [k, v] of Object.entries(s[field] ?? {})) out[field][k] = (out[field][k] ?? 0) + v;
    }
    out.applied = Math.max(out.applied, s.applied ?? 0);
  }
  return out;
}

/**
 * A rollup for any unit at any level: sums as stored, averages from sums and counts, and indicators
 * recomputed from the rolled-up numerators and denominators (never averaged).
 */
export async function readRollup(deps: ReadRollupDeps, request: RollupRequest): Promise<RollupView> {
  const period = parsePeriod(request.period);
  if (!period) throw new TallyError('INVALID_PERIOD', `invalid period ${request.period}`);
  const versions = await deps.hierarchy.versions();
  if (request.hierarchy && !versions.some((v) => v.id === request.hierarchy)) {
    throw new TallyError('UNKNOWN_HIERARCHY', `unknown hierarchy ${request.hierarchy}; known: ${versions.map((v) => v.id).join(', ')}`);
  }
  const hierarchy = request.hierarchy ?? (await deps.hierarchy.versionFor(period.endDate));
  const unit = await deps.hierarchy.unit(hierarchy, request.orgUnit);
  if (!unit) throw new TallyError('UNKNOWN_ORG_UNIT', `unknown org unit ${request.orgUnit} in hierarchy ${hierarchy}`);
  if (request.after !== undefined) {
    const caughtUp = await deps.progress.waitFor(request.after, deps.readYourWritesTimeoutMs);
    if (!caughtUp) throw new TallyError('NOT_CAUGHT_UP', `rollups have not yet applied position ${request.after}; retry shortly`, { after: request.after });
  }
  const figures: FiguresVariant = request.figures ?? 'latest';
  const shares = await deps.cells.find({ cell: cellKey(hierarchy, figures, request.orgUnit, request.period) });
  const merged = mergeShares(shares);
  const catalog = await deps.catalog.catalogFor(period.endDate);

  const dataElements: Record<string, number> = {};
  const elements = new Map((catalog?.dataElements ?? []).map((e) => [e.code, e]));
  for (const [key, sum] of Object.entries(merged.sums)) {
    const element = elements.get(key.split(':')[0]!);
    const average = element && (element.aggregation === 'AVERAGE' || element.aggregation === 'AVERAGE_SUM_ORG_UNIT');
    const count = merged.counts[key] ?? 0;
    if (count === 0) continue; // nothing contributes any more (all retracted)
    dataElements[publicKey(key)] = average && element.aggregation === 'AVERAGE' ? sum / count : sum;
  }
  const lookup = (element: string, optionCombo?: string): number | undefined => dataElements[optionCombo ? `${element}.${optionCombo}` : element];
  const indicators: Record<string, IndicatorValue> = {};
  for (const indicator of catalog?.indicators ?? []) indicators[indicator.code] = computeIndicator(indicator, lookup);

  return {
    orgUnit: request.orgUnit,
    period: request.period,
    hierarchy,
    figures,
    dataElements,
    indicators,
    completeness: await completenessOf(deps, catalog, hierarchy, unit.code, unit.level, period.type, merged),
    position: merged.applied,
  };
}

async function completenessOf(
  deps: ReadRollupDeps,
  catalog: Catalog | undefined,
  hierarchy: string,
  orgUnit: string,
  level: string,
  periodType: string,
  merged: Pick<RollupCellDoc, 'received' | 'onTime'>,
): Promise<Record<string, CompletenessView>> {
  const out: Record<string, CompletenessView> = {};
  for (const t of catalog?.templates ?? []) {
    if (t.periodType !== periodType) continue;
    const expected = level === t.reportingLevel ? 1 : await deps.hierarchy.countAtLevel(hierarchy, orgUnit, t.reportingLevel);
    out[t.code] = { expected, received: merged.received[t.code] ?? 0, onTime: merged.onTime[t.code] ?? 0 };
  }
  return out;
}

export { CELLS };
