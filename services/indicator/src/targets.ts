import { TallyError, newEvent, type EventContext, type HierarchyQuery } from '@tally/contracts';
import { parsePeriod, TARGET_OUTCOME_EVENT_SCHEMA, type RuleOperator, type SourcedStream, type TargetChange, type TargetFigures, type TargetOutcomeData, type TargetOutcomeEvent } from '@tally/core';
import { handleCommand, type CommandDecision, type EventStore } from '@tally/eventstore';
import type { CatalogRegistry } from './catalog-registry';

/**
 * Targets per indicator, unit and period. Each target is a stream of its own, `target-<INDICATOR>-<ORGUNIT>-<PERIOD>`
 * (category `target`, relayed to the indicators topic); its stream version is the target's version.
 * Outcomes (met / missed) are events too, on `indicators-target-<INDICATOR>-<ORGUNIT>-<PERIOD>`.
 */
export type { TargetFigures, TargetOutcomeData, TargetOutcomeEvent, TargetStatus } from '@tally/core';

export interface TargetData {
  indicator: string;
  orgUnit: string;
  period: string;
  /** the hierarchy version in force at the period's end: the unit is (hierarchy, orgUnit) */
  hierarchy: string;
  operator: RuleOperator;
  value: number;
  /** null: the indicator's value is compared; PREVIOUS_YEAR: its change from the same period a year before */
  change: TargetChange | null;
  /** which figures the target is checked on; default latest */
  figures: TargetFigures;
  /** the catalog version the indicator was found in */
  catalogVersion: string;
  note: string | null;
}

export type TargetSet = { type: 'tally.target.set'; data: TargetData };

/** A target's stream folded: its latest setting, with the version (= the target's version) and position of that setting. */
export type TargetState = { target: TargetData; version: number; position: number } | null;

export const targetStream: SourcedStream<TargetState, TargetSet> = {
  schema: { types: ['tally.target.set'] },
  initialState: () => null,
  evolve: (_state, e, meta) => ({ target: e.data, version: meta.streamVersion, position: meta.position }),
};


/** A target's outcome stream folded: the latest outcome (null before the first). */
export const targetOutcomeStream: SourcedStream<TargetOutcomeData | null, TargetOutcomeEvent> = {
  schema: TARGET_OUTCOME_EVENT_SCHEMA,
  initialState: () => null,
  evolve: (_state, e) => e.data,
};

export const targetId = (indicator: string, orgUnit: string, period: string): string => `${indicator}|${orgUnit}|${period}`;
export const targetStreamId = (indicator: string, orgUnit: string, period: string): string => `target-${indicator}-${orgUnit}-${period}`;
export const targetOutcomeStreamId = (indicator: string, orgUnit: string, period: string): string => `indicators-target-${indicator}-${orgUnit}-${period}`;

export const isTargetSet = (e: { type: string }): boolean => e.type === 'tally.target.set';
export const isTargetOutcome = (e: { type: string }): boolean => e.type === 'tally.indicators.target-met' || e.type === 'tally.indicators.target-missed';

export const OPERATORS = ['==', '!=', '<', '<=', '>', '>='] as const;

/** PUT /targets body (its JSON Schema is in routes.ts). */
export interface SetTargetInput {
  indicator: string;
  orgUnit: string;
  period: string;
  operator: RuleOperator;
  value: number;
  change?: TargetChange;
  figures?: TargetFigures;
  note?: string;
}

export interface SetTargetResult {
  target: TargetData;
  version: number;
  position: number;
  created: boolean;
}

const same = (a: TargetData, b: TargetData): boolean =>
  a.operator === b.operator && a.value === b.value && a.change === b.change && a.figures === b.figures && a.note === b.note && a.hierarchy === b.hierarchy;

/**
 * Sets (or replaces) a target. The indicator must exist in the catalog in force for the period, the unit in the
 * hierarchy in force at its end. Setting the same target again changes nothing.
 */
export async function setTarget(
  deps: { store: EventStore; registry: CatalogRegistry; hierarchy: HierarchyQuery },
  input: SetTargetInput,
  ctx: EventContext,
): Promise<SetTargetResult> {
  const period = parsePeriod(input.period);
  if (!period) throw new TallyError('INVALID_PERIOD', `"${input.period}" is not a period code (2026, 2026S1, 2026Q1, 202601)`);
  const catalog = deps.registry.forDate(period.endDate);
  if (!catalog) throw new TallyError('NO_CATALOG', `no catalog is in force for period ${input.period}`);
  const indicator = catalog.indicators.find((i) => i.code === input.indicator);
  if (!indicator) throw new TallyError('INVALID_REQUEST', `unknown indicator ${input.indicator} in catalog ${catalog.version}`, undefined, 422);
  const hierarchy = await deps.hierarchy.versionFor(period.endDate);
  const unit = await deps.hierarchy.unit(hierarchy, input.orgUnit);
  if (!unit) throw new TallyError('UNKNOWN_ORG_UNIT', `no unit ${input.orgUnit} in hierarchy ${hierarchy}`);
  const data: TargetData = {
    indicator: input.indicator,
    orgUnit: input.orgUnit,
    period: input.period,
    hierarchy,
    operator: input.operator,
    value: input.value,
    change: input.change ?? null,
    figures: input.figures ?? 'latest',
    catalogVersion: catalog.version,
    note: input.note?.trim() || null,
  };
  const streamId = targetStreamId(data.indicator, data.orgUnit, data.period);
  return handleCommand(deps.store, streamId, targetStream, (last): CommandDecision<SetTargetResult> => {
    if (last && same(last.target, data)) {
      return { result: { target: last.target, version: last.version, position: last.position, created: false } };
    }
    const event: TargetSet = { type: 'tally.target.set', data };
    return {
      append: [newEvent('tally/indicator', streamId, event, ctx)],
      result: ({ positions, nextVersion }) => ({ target: data, version: nextVersion, position: positions[0]!, created: true }),
    };
  });
}
