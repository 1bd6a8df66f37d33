import { TallyError, type CatalogQuery } from '@tally/contracts';
import { deadlineFor, isoDateOf, parsePeriod, tierOf, type HierarchyRegistry } from '@tally/core';
import { DEADLINE_UTC_OFFSET_MINUTES } from './apply-report-event';
import { parseAsOf, resolveTarget, type Replay, type RollupStores } from './read-rollup';
import type { FiguresVariant } from './rollup-cells';

export interface CompletenessRequest {
  orgUnit: string;
  period: string;
  template: string;
  hierarchy?: string;
  figures?: FiguresVariant;
  asOf?: string;
}

export interface CompletenessReport {
  orgUnit: string;
  period: string;
  template: string;
  hierarchy: string;
  figures: FiguresVariant;
  asOf: string | null;
  /** the level whose units report the template */
  reportingLevel: string;
  /** the unit's tier: its level distance above the reporting level (0 = a reporting unit) */
  tier: number;
  /** the unit's deadline: reports received by then (Vietnam's calendar date) are on time here */
  deadline: string;
  expected: number;
  received: number;
  onTime: number;
  /** units expected to report that have not, in hierarchy order */
  missing: Array<{ code: string; name: string; parentCode: string | null }>;
  /** units that reported after this unit's deadline */
  late: Array<{ code: string; receivedAt: string }>;
}

export interface CompletenessDeps {
  stores: RollupStores;
  catalog: CatalogQuery;
  hierarchies: () => HierarchyRegistry;
  replay?: Replay;
}

/**
 * Completeness and timeliness of one template under one unit for one period: the units expected to report
 * (from the map in force at the period's end, or the one asked for), the reports received, those received by
 * the unit's tier deadline (deadlines cascade: a district's communes are on time for the district if they
 * arrived by the district-tier deadline), and the list of units that have not reported.
 * Cost: the receipts of the template and period on the map (one equality query) plus the units at the
 * reporting level under the unit.
 */
export async function readCompleteness(deps: CompletenessDeps, request: CompletenessRequest): Promise<CompletenessReport> {
  const period = parsePeriod(request.period);
  if (!period) throw new TallyError('INVALID_PERIOD', `invalid period ${request.period}`);
  const asOf = parseAsOf(request.asOf);
  const h = resolveTarget(deps.hierarchies(), period, request.hierarchy, request.orgUnit);
  const catalog = await deps.catalog.catalogFor(period.endDate);
  const template = catalog?.templates.find((t) => t.code === request.template);
  if (!template) throw new TallyError('UNKNOWN_TEMPLATE', `unknown template ${request.template} for period ${request.period}`);
  if (template.periodType !== period.type) {
    throw new TallyError('PERIOD_TEMPLATE_MISMATCH', `template ${template.code} is ${template.periodType}; period ${request.period} is ${period.type}`);
  }
  const unit = h.get(request.orgUnit)!;
  const reportingIndex = h.levelIndex(template.reportingLevel);
  const unitIndex = h.levelIndex(unit.level);
  if (reportingIndex < 0 || unitIndex > reportingIndex) {
    throw new TallyError('ORG_UNIT_LEVEL_MISMATCH', `${unit.code} (${unit.level}) is below the level that reports ${template.code} (${template.reportingLevel}) on map ${h.version.id}`);
  }
  const tier = tierOf(reportingIndex, unitIndex);
  const deadline = deadlineFor(request.period, template.deadlineDaysAfterPeriodEnd, tier);
  const figures = request.figures ?? 'latest';

  let stores: RollupStores & { close?: () => Promise<void> } = deps.stores;
  if (asOf) {
    if (!deps.replay) throw new TallyError('UNAVAILABLE', 'time travel is not available in this deployment');
    stores = await deps.replay(asOf, (r) => r.hierarchy === h.version.id && r.template === template.code && r.period === request.period && h.isWithin(r.orgUnit, unit.code));
  }
  try {
    const receipts = await stores.receipts.find({ hierarchy: h.version.id, template: template.code, period: request.period });
    const receivedAt = new Map<string, string>();
    for (const r of receipts) {
      const at = r.firstAt?.[figures];
      if (at && h.isWithin(r.orgUnit, unit.code)) receivedAt.set(r.orgUnit, at);
    }
    const expected = unit.level === template.reportingLevel ? [unit] : h.descendantsAtLevel(unit.code, template.reportingLevel);
    const late: CompletenessReport['late'] = [];
    let onTime = 0;
    for (const [code, at] of [...receivedAt].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (isoDateOf(at, DEADLINE_UTC_OFFSET_MINUTES) <= deadline) onTime++;
      else late.push({ code, receivedAt: at });
    }
    return {
      orgUnit: unit.code,
      period: request.period,
      template: template.code,
      hierarchy: h.version.id,
      figures,
      asOf: asOf ?? null,
      reportingLevel: template.reportingLevel,
      tier,
      deadline,
      expected: expected.length,
      received: receivedAt.size,
      onTime,
      missing: expected.filter((u) => !receivedAt.has(u.code)).map((u) => ({ code: u.code, name: u.name, parentCode: u.parentCode })),
      late,
    };
  } finally {
    await stores.close?.();
  }
}
