import { newEvent, type StoredEvent } from '@tally/contracts';
import { checkMinMax, checkOutliers, checkRules, comparePeriods, parsePeriod, reportTotals, VALIDATION_EVENT_SCHEMA, type ReportValidated, type ReportValuesData, type ValidationViolation, type ReportViolation, type SourcedStream } from '@tally/core';
import { handleCommand, type CommandDecision, type EventStore } from '@tally/eventstore';
import type { Collection, Doc, Guard, ReadStore } from '@tally/readstore';
import type { CatalogRegistry } from './catalog-registry';

/**
 * After a report is accepted, its values are checked: the catalog's validation rules (REJECT ones were already
 * enforced at ingestion), min/max bounds and outliers against the unit's own history of the element.
 * The outcome is an event of its own (stream `indicators-<reportId>`), caused by the report event:
 * a redelivered report event finds its outcome already recorded and adds nothing.
 */
export type { ReportValidated, ValidationViolation } from '@tally/core';

/** A report's validation stream folded: each outcome by the report event that caused it. */
export const validationStream: SourcedStream<Record<string, ReportValidated['data']>, ReportValidated> = {
  schema: VALIDATION_EVENT_SCHEMA,
  initialState: () => ({}),
  evolve: (state, e, meta) => (meta.causationId ? { ...state, [meta.causationId]: e.data } : state),
};

/** One period of a series: the report's element totals (its latest version wins). */
export interface HistoryEntry {
  totals: Record<string, number>;
  version: number;
}

/**
 * A unit's history of one template (`_id`: the series, `<hierarchy>|<orgUnit>|<template>`), for outlier checks: one
 * document per series, so a check reads it by `_id` (FerretDB answers any other filter by reading the collection).
 */
export interface SeriesHistoryDoc extends Doc {
  periods: Record<string, HistoryEntry>;
}

/** A period of a series' history, as the outlier check reads it. */
export interface PeriodTotals extends HistoryEntry {
  period: string;
}

/** The history's shape until December 2026: one document per (series, period), found by a `series` filter. */
interface FormerHistoryDoc extends Doc {
  series: string;
  period: string;
  totals: Record<string, number>;
  version: number;
}

/** The violations of each report's latest checked version, for /alerts. */
export interface ViolationsDoc extends Doc {
  reportId: string;
  reportVersion: number;
  hierarchy: string;
  orgUnit: string;
  template: string;
  period: string;
  violations: ValidationViolation[];
  time: string;
}

export const HISTORY = 'indicator_series_history';
/** the former shape's collection: moved into HISTORY once (ReportValidator.moveFormerHistory), then dropped */
export const FORMER_HISTORY = 'indicator_history';
export const VIOLATIONS = 'indicator_violations';
/** how many earlier periods an outlier check looks at */
export const HISTORY_DEPTH = 12;

export class ReportValidator {
  readonly history: Collection<SeriesHistoryDoc>;
  readonly violations: Collection<ViolationsDoc>;

  constructor(
    private readonly store: EventStore,
    private readonly readStore: ReadStore,
    private readonly registry: CatalogRegistry,
  ) {
    this.history = readStore.collection<SeriesHistoryDoc>(HISTORY);
    this.violations = readStore.collection<ViolationsDoc>(VIOLATIONS);
  }

  async ensureIndexes(): Promise<void> {
    await this.violations.ensureIndex(['orgUnit']);
  }

  /**
   * A deployment upgraded from the former shape keeps its history: each former document becomes its series'
   * period (guarded by version, so a second run, or a replica running it too, changes nothing), then the former
   * collection is dropped. Returns how many documents were moved.
   */
  async moveFormerHistory(): Promise<number> {
    const former = await this.readStore.collection<FormerHistoryDoc>(FORMER_HISTORY).find({});
    if (former.length > 0) await this.history.updateMany(former.map((d) => historyWrite(d.series, d.period, d.totals, d.version)));
    await this.readStore.dropAll(FORMER_HISTORY);
    return former.length;
  }

  /** A series' history by period (empty when none is recorded). */
  async seriesHistory(series: string): Promise<PeriodTotals[]> {
    return periodsOf(await this.history.get(series));
  }

  /**
   * A consumer batch: in order within a series (unit and template: the outlier check reads the series' earlier
   * periods), the series side by side, so their appends share the event store's group commits instead of waiting
   * for one commit each. The read models are written once for the batch, after every outcome is recorded (one
   * `updateMany` per collection); a check later in the batch sees the history the earlier ones will write.
   */
  async validateBatch(events: StoredEvent[]): Promise<void> {
    const bySeries = new Map<string, StoredEvent[]>();
    for (const e of events) {
      const d = e.data as Partial<ReportValuesData>;
      const key = `${d.hierarchy}|${d.orgUnit}|${d.template}`;
      bySeries.set(key, [...(bySeries.get(key) ?? []), e]);
    }
    const writes: BatchWrites = { history: [], violations: [] };
    const results = await Promise.allSettled(
      [...bySeries.entries()].map(async ([series, list]) => {
        // nothing writes the history before the batch ends: the series' stored part is read once, when first needed
        let stored: Promise<PeriodTotals[]> | undefined;
        const storedHistory = () => (stored ??= this.seriesHistory(series));
        for (const e of list) await this.check(e, writes, storedHistory);
      }),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason; // the batch is redelivered; what was validated is found again (causationId)
    // guarded by the report's stream version: a redelivery or an older version changes nothing
    if (writes.history.length > 0) await this.history.updateMany(writes.history);
    if (writes.violations.length > 0) await this.violations.updateMany(writes.violations);
  }

  /** One event on its own (a batch of one). */
  async validate(event: StoredEvent): Promise<void> {
    await this.validateBatch([event]);
  }

  /** Checks one report event, records its outcome on the report's validation stream and queues its read-model writes. */
  private async check(event: StoredEvent, writes: BatchWrites, storedHistory: () => Promise<PeriodTotals[]>): Promise<void> {
    if (event.type !== 'tally.report.submitted' && event.type !== 'tally.report.amended') return;
    const data = event.data as ReportValuesData;
    const catalog = this.registry.version(data.catalogVersion);
    if (!catalog) throw new Error(`catalog ${data.catalogVersion} not loaded yet`);
    const periodType = parsePeriod(data.period)?.type;
    const series = `${data.hierarchy}|${data.orgUnit}|${data.template}`;
    const totals = reportTotals(data.values);
    const elementTotals = Object.fromEntries(Object.entries(totals).filter(([k]) => !k.includes('.')));

    let past: PeriodTotals[] | null = null;
    if (catalog.dataElements.some((e) => e.outlierCheck)) {
      past = withQueued(await storedHistory(), writes.history, series)
        .filter((h) => comparePeriods(h.period, data.period) < 0)
        .sort((a, b) => comparePeriods(b.period, a.period))
        .slice(0, HISTORY_DEPTH);
    }
    const found: ReportViolation[] = [
      ...checkRules(catalog, data.values, periodType ? { periodType } : {}),
      ...checkMinMax(catalog, data.values),
      ...(past ? checkOutliers(catalog, totals, (element) => past!.map((h) => h.totals[element]).filter((x): x is number => typeof x === 'number')) : []),
    ];

    const streamId = `indicators-${data.reportId}`;
    const recorded = await handleCommand(this.store, streamId, validationStream, (byCause): CommandDecision<ReportValidated['data']> => {
      const earlier = byCause[event.id];
      if (earlier) return { result: earlier };
      const outcome: ReportValidated = {
        type: 'tally.indicators.validated',
        data: {
          reportId: data.reportId,
          reportVersion: event.streamVersion,
          hierarchy: data.hierarchy,
          template: data.template,
          orgUnit: data.orgUnit,
          period: data.period,
          catalogVersion: data.catalogVersion,
          violations: found.map((v) => ({
            kind: v.kind,
            rule: v.rule,
            name: v.name,
            elementName: v.elementName,
            importance: v.importance,
            onViolation: v.onViolation,
            left: v.left,
            operator: v.operator,
            right: v.right,
            message: v.message,
          })),
        },
      };
      return {
        append: [
          newEvent('tally/indicator', streamId, outcome, {
            actor: { id: 'system:indicator' },
            correlationId: event.correlationId,
            causationId: event.id,
            ...(event.traceparent ? { traceparent: event.traceparent } : {}),
          }),
        ],
        result: () => outcome.data,
      };
    });

    writes.history.push(historyWrite(series, data.period, elementTotals, event.streamVersion));
    writes.violations.push({
      id: data.reportId,
      update: {
        set: {
          reportId: data.reportId,
          reportVersion: event.streamVersion,
          hierarchy: data.hierarchy,
          orgUnit: data.orgUnit,
          template: data.template,
          period: data.period,
          violations: recorded.violations,
          time: event.time,
        },
      },
      guard: { field: 'reportVersion', below: event.streamVersion },
    });
  }
}

type QueuedWrite = { id: string; update: { set: Record<string, unknown> }; guard: Guard };

/** The history's write of one period of a series: guarded by the report's stream version (the highest wins). */
function historyWrite(series: string, period: string, totals: Record<string, number>, version: number): HistoryWrite {
  return {
    id: series,
    entry: { period, totals, version },
    update: { set: { [`periods.${period}.totals`]: totals, [`periods.${period}.version`]: version } },
    guard: { field: `periods.${period}.version`, below: version },
  };
}

function periodsOf(doc: SeriesHistoryDoc | null): PeriodTotals[] {
  return Object.entries(doc?.periods ?? {}).map(([period, entry]) => ({ period, totals: entry.totals, version: entry.version }));
}

/** A queued history write, with the period entry it writes (for the checks later in the batch). */
type HistoryWrite = QueuedWrite & { entry: PeriodTotals };

/** The read-model writes of a batch, in the order its events were checked. */
interface BatchWrites {
  history: HistoryWrite[];
  violations: QueuedWrite[];
}

/**
 * A series' history as it will be once the batch's queued writes are applied: per period, the highest version
 * between the stored entry and the queued ones (the writes are guarded by version, so the highest wins there too).
 */
function withQueued(stored: PeriodTotals[], queued: readonly HistoryWrite[], series: string): PeriodTotals[] {
  const byPeriod = new Map(stored.map((p) => [p.period, p]));
  for (const { id, entry } of queued) {
    if (id !== series) continue;
    const current = byPeriod.get(entry.period);
    if (!current || current.version < entry.version) byPeriod.set(entry.period, entry);
  }
  return [...byPeriod.values()];
}
