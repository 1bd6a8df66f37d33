import { DEFAULT_PARTITIONS, TallyError, TOPICS, type CatalogQuery, type CompletenessView, type IndicatorValue, type RollupRequest, type RollupView } from '@tally/contracts';
import {
  cellValues,
  combineKeyTotals,
  computeIndicator,
  keyTotalsOf,
  mergeCellStates,
  parsePeriod,
  publicKey,
  remapSourcesOf,
  remapTotals,
  valuesOfTotals,
  type AggregationType,
  type CellState,
  type Hierarchy,
  type HierarchyRegistry,
  type Period,
  type Remapping,
} from '@tally/core';
import type { Collection } from '@tally/readstore';
import type { ConsumerProgress } from '@tally/runtime';
import type { CellShares } from './cell-shares';
import { cellKey, HIERARCHY_SHARE, shareId, type FiguresVariant, type ReceiptDoc } from './rollup-cells';

/** Where cells and receipts are read from: the live read store, or a replay as of an instant. */
export interface RollupStores {
  cells: CellShares;
  receipts: Collection<ReceiptDoc>;
}

/** A remapping between two maps, e.g. pre2025 -> 2025. */
export interface MapRemapping {
  from: string;
  to: string;
  remapping: () => Remapping;
}

/** Builds the stores as of an instant, holding only the reports `relevant` selects (see time-travel.ts). */
export type Replay = (asOf: string, relevant: (report: { hierarchy: string; orgUnit: string; period: string; template: string }) => boolean) => Promise<RollupStores & { close(): Promise<void> }>;

export interface ReadRollupDeps {
  stores: RollupStores;
  catalog: CatalogQuery;
  hierarchies: () => HierarchyRegistry;
  remappings: MapRemapping[];
  replay?: Replay;
  progress: ConsumerProgress;
  readYourWritesTimeoutMs: number;
}

/** How many source cells a re-aggregation reads at once. */
const READ_CONCURRENCY = 64;

/**
 * Merges a cell's partition shares into one state. The shares are read by id (one per partition of the reports
 * topic, plus the hierarchy-change share), a key look-up every document store serves from its primary index;
 * a filter on `cell` would scan the collection on stores without secondary indexes (FerretDB on SQLite).
 */
const SHARE_PARTITIONS = [HIERARCHY_SHARE, ...Array.from({ length: DEFAULT_PARTITIONS[TOPICS.reports] }, (_, p) => p)];

export async function readCell(cells: Pick<CellShares, 'getMany'>, hierarchy: string, figures: FiguresVariant, orgUnit: string, period: string): Promise<CellState> {
  const cell = cellKey(hierarchy, figures, orgUnit, period);
  return mergeCellStates(await cells.getMany(SHARE_PARTITIONS.map((p) => shareId(cell, p))));
}

export function parseAsOf(asOf: string | undefined): string | undefined {
  if (asOf === undefined) return undefined;
  const ms = /^\d{4}-\d{2}-\d{2}(T[0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$/i.test(asOf) ? Date.parse(asOf) : NaN;
  if (Number.isNaN(ms)) throw new TallyError('INVALID_REQUEST', `asOf must be an ISO 8601 instant, e.g. 2026-01-15T17:00:00+07:00; got ${JSON.stringify(asOf)}`);
  return new Date(ms).toISOString();
}

export function resolveTarget(hierarchies: HierarchyRegistry, period: Period, requested: string | undefined, orgUnit: string): Hierarchy {
  const registry = hierarchies;
  let h: Hierarchy | undefined;
  if (requested) {
    h = registry.get(requested);
    if (!h) throw new TallyError('UNKNOWN_HIERARCHY', `unknown hierarchy ${requested}; known: ${registry.ids().join(', ')}`);
  } else {
    h = registry.forPeriod(period.code);
    if (!h) throw new TallyError('UNKNOWN_HIERARCHY', `no hierarchy in force on ${period.endDate}`);
  }
  if (!h.has(orgUnit)) throw new TallyError('UNKNOWN_ORG_UNIT', `unknown org unit ${orgUnit} in hierarchy ${h.version.id}`);
  return h;
}

/** The maps, other than the target, that data of the period was reported on and that can be remapped onto the target. */
function sourcesFor(deps: ReadRollupDeps, target: Hierarchy, period: Period): MapRemapping[] {
  return deps.remappings.filter((m) => {
    if (m.to !== target.version.id) return false;
    const v = deps.hierarchies().get(m.from)?.version;
    return !!v && v.validFrom <= period.endDate && period.startDate <= (v.validTo ?? '9999-12-31');
  });
}

/**
 * A rollup for any unit at any level, on the map asked for (default: the one in force at the period's end),
 * for the figures asked for (default: latest), live or as of an instant. Values are read per aggregation type;
 * indicators are recomputed from the rolled-up numerators and denominators (never averaged). On a map the
 * period was (partly) reported on another map for, that map's data is re-aggregated through the mapping
 * (core/rollup/remap.ts) and flagged as estimated where apportioned.
 */
export async function readRollup(deps: ReadRollupDeps, request: RollupRequest): Promise<RollupView> {
  const period = parsePeriod(request.period);
  if (!period) throw new TallyError('INVALID_PERIOD', `invalid period ${request.period}`);
  const asOf = parseAsOf(request.asOf);
  const target = resolveTarget(deps.hierarchies(), period, request.hierarchy, request.orgUnit);
  if (request.after !== undefined) {
    const caughtUp = await deps.progress.waitFor(request.after, deps.readYourWritesTimeoutMs);
    if (!caughtUp) throw new TallyError('NOT_CAUGHT_UP', `rollups have not yet applied position ${request.after}; retry shortly`, { after: request.after });
  }
  const figures: FiguresVariant = request.figures ?? 'latest';
  const sources = sourcesFor(deps, target, period);
  const sourceUnits = new Map<string, ReturnType<typeof remapSourcesOf>>();
  for (const s of sources) {
    const h = deps.hierarchies().get(s.to)!;
    const leaf = h.levels[h.levels.length - 1]!;
    const unit = h.get(request.orgUnit)!;
    const newCodes = unit.level === leaf ? [unit.code] : h.descendantsAtLevel(unit.code, leaf).map((u) => u.code);
    sourceUnits.set(s.from, remapSourcesOf(s.remapping(), newCodes));
  }

  if (!asOf) return answer(deps, deps.stores, { request, period, target, figures, asOf: null, sources, sourceUnits });
  if (!deps.replay) throw new TallyError('UNAVAILABLE', 'time travel is not available in this deployment');
  const wanted = new Map<string, Set<string>>([...sourceUnits].map(([from, units]) => [from, new Set(units.map((u) => u.oldCode))]));
  const stores = await deps.replay(asOf, (r) => {
    if (!periodWithin(period, r.period)) return false;
    if (r.hierarchy === target.version.id) return target.isWithin(r.orgUnit, request.orgUnit);
    const codes = wanted.get(r.hierarchy);
    const h = deps.hierarchies().get(r.hierarchy);
    return !!codes && !!h && h.pathOf(r.orgUnit).some((u) => codes.has(u.code));
  });
  try {
    return await answer(deps, stores, { request, period, target, figures, asOf, sources, sourceUnits });
  } finally {
    await stores.close();
  }
}

export function periodWithin(outer: Period, inner: string): boolean {
  const p = parsePeriod(inner);
  return !!p && outer.startDate <= p.startDate && p.endDate <= outer.endDate;
}

async function answer(
  deps: ReadRollupDeps,
  stores: RollupStores,
  q: {
    request: RollupRequest;
    period: Period;
    target: Hierarchy;
    figures: FiguresVariant;
    asOf: string | null;
    sources: MapRemapping[];
    sourceUnits: Map<string, ReturnType<typeof remapSourcesOf>>;
  },
): Promise<RollupView> {
  const { request, period, target, figures } = q;
  const catalog = await deps.catalog.catalogFor(period.endDate);
  const elements = new Map((catalog?.dataElements ?? []).map((e) => [e.code, e]));
  const aggregationOf = (key: string): AggregationType | undefined => elements.get(key.split(':', 1)[0] as string)?.aggregation;

  const native = await readCell(stores.cells, target.version.id, figures, request.orgUnit, request.period);
  const totals = keyTotalsOf(native, aggregationOf);
  let position = native.applied;
  let estimates = native.estimates;
  let apportioned = false;
  const templates = (catalog?.templates ?? []).filter((t) => t.periodType === period.type);
  const completeness: Record<string, CompletenessView> = {};
  const remappedOnly = q.sources.length > 0 && period.startDate < target.version.validFrom && period.endDate < target.version.validFrom;
  if (!remappedOnly) {
    for (const t of templates) {
      const unit = target.get(request.orgUnit)!;
      const expected = unit.level === t.reportingLevel ? 1 : target.countDescendantsAtLevel(unit.code, t.reportingLevel);
      completeness[t.code] = { expected, received: native.received[t.code] ?? 0, onTime: native.onTime[t.code] ?? 0 };
    }
  }
  const remappedFrom: string[] = [];
  for (const s of q.sources) {
    const units = q.sourceUnits.get(s.from) ?? [];
    const h = deps.hierarchies().get(s.from)!;
    const states: CellState[] = [];
    for (let i = 0; i < units.length; i += READ_CONCURRENCY) {
      states.push(...(await Promise.all(units.slice(i, i + READ_CONCURRENCY).map((u) => readCell(stores.cells, s.from, figures, u.oldCode, request.period)))));
    }
    const weighted = units.map((u, i) => ({ weight: u.weight, values: cellValues(states[i]!, aggregationOf) }));
    combineKeyTotals(totals, remapTotals(weighted, aggregationOf));
    remappedFrom.push(s.from);
    units.forEach((u, i) => {
      const st = states[i]!;
      position = Math.max(position, st.applied);
      estimates += st.estimates;
      if (u.estimated && Object.keys(weighted[i]!.values).length > 0) apportioned = true;
    });
    if (remappedOnly) {
      // completeness on the source map: its reporting units that went (partly) into the target
      for (const t of templates) {
        const c = (completeness[t.code] ??= { expected: 0, received: 0, onTime: 0 });
        units.forEach((u, i) => {
          if (h.get(u.oldCode)?.level !== t.reportingLevel) return;
          c.expected += 1;
          c.received += Math.min(1, states[i]!.received[t.code] ?? 0);
          c.onTime += Math.min(1, states[i]!.onTime[t.code] ?? 0);
        });
      }
    }
  }

  const values = valuesOfTotals(totals, aggregationOf);
  const dataElements: Record<string, number> = {};
  for (const [key, v] of Object.entries(values)) dataElements[publicKey(key)] = v;
  const lookup = (element: string, optionCombo?: string): number | undefined => dataElements[optionCombo ? `${element}.${optionCombo}` : element];
  const indicators: Record<string, IndicatorValue> = {};
  for (const indicator of catalog?.indicators ?? []) indicators[indicator.code] = computeIndicator(indicator, lookup);

  const hasData = Object.keys(dataElements).length > 0;
  const estimatedBecause: string[] = [];
  if (hasData && (figures === 'estimate' || (figures === 'latest' && estimates > 0))) estimatedBecause.push('estimate-figures');
  if (apportioned) estimatedBecause.push('apportioned');
  return {
    orgUnit: request.orgUnit,
    period: request.period,
    hierarchy: target.version.id,
    figures,
    asOf: q.asOf,
    estimated: estimatedBecause.length > 0,
    ...(estimatedBecause.length > 0 ? { estimatedBecause } : {}),
    ...(remappedFrom.length > 0 ? { remappedFrom } : {}),
    dataElements,
    indicators,
    completeness,
    position,
  };
}

