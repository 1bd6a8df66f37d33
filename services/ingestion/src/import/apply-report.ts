import { createHash } from 'node:crypto';
import { TallyError, type CatalogQuery, type EventContext, type HierarchyQuery } from '@tally/contracts';
import {
  mergeValues,
  parsePeriod,
  reportStreamId,
  typedValue,
  valueText,
  type Catalog,
  type DataValue,
  type ImportConflict,
  type ImportSummaryBuilder,
  type MergeMode,
} from '@tally/core';
import type { EventStore } from '@tally/eventstore';
import { submitReport } from '../submit-report';
import { dryRunStore } from './dry-run-store';
import type { ImportStrategy, ImportedReportInput, ImportedValue, Origin } from './imported-report';
import { readReportState } from './report-state';

export interface ImportDeps {
  store: EventStore;
  catalog: CatalogQuery;
  hierarchy: HierarchyQuery;
}

export interface ImportOptions {
  dryRun: boolean;
  strategy: ImportStrategy;
  /** merge (dataValueSets: the file's values over the report's) or replace (a whole form) */
  mode: Exclude<MergeMode, 'delete'>;
  /** the reason for amendments when the file gives none */
  reason?: string;
  /** the caller's org unit: every report must be in its subtree (undefined: no check, e.g. auth off) */
  scope?: string;
  ctx: EventContext;
}

/** Caches what many reports of one file share (the catalog in force per period end, hierarchy versions). */
export class ImportLookups {
  private readonly catalogs = new Map<string, Promise<Catalog | undefined>>();
  private readonly versions = new Map<string, Promise<string>>();
  constructor(readonly deps: ImportDeps) {}
  catalogFor(date: string | undefined): Promise<Catalog | undefined> {
    const key = date ?? '';
    let hit = this.catalogs.get(key);
    if (!hit) this.catalogs.set(key, (hit = this.deps.catalog.catalogFor(date)));
    return hit;
  }
  hierarchyFor(date: string): Promise<string> {
    let hit = this.versions.get(date);
    if (!hit) this.versions.set(date, (hit = this.deps.hierarchy.versionFor(date)));
    return hit;
  }
}

const where = (o: Origin): Pick<ImportConflict, 'row' | 'cell' | 'sheet' | 'indexes'> => ({
  ...(o.index === undefined ? {} : { indexes: [o.index] }),
  ...(o.row === undefined ? {} : { row: o.row }),
  ...(o.cell === undefined ? {} : { cell: o.cell }),
  ...(o.sheet === undefined ? {} : { sheet: o.sheet }),
});

const keyOf = (v: { dataElement: string; optionCombo?: string | undefined }): string => `${v.dataElement}.${v.optionCombo ?? ''}`;
const objectOf = (v: { dataElement: string; optionCombo?: string | undefined }): string => (v.optionCombo ? `${v.dataElement}.${v.optionCombo}` : v.dataElement);

/**
 * Imports one (template, unit, period): the file's values meet the report's current values (per strategy and
 * mode), and the result goes through `submitReport`, the same checks and decider as `POST /reports`: a first
 * submission, or an amendment (which needs a reason). Values the checks refuse one by one are left out and
 * listed as conflicts, the rest is imported; a refusal of the whole report (unit, period, locked, no reason...)
 * is one conflict and every value is ignored. Nothing changes when the report already holds these values.
 */
export async function importReport(lookups: ImportLookups, input: ImportedReportInput, opts: ImportOptions, summary: ImportSummaryBuilder): Promise<void> {
  const { deps } = lookups;
  const reportId = reportStreamId(input);
  // the file's values, typed, by element and combination (filled below)
  const incoming = new Map<string, { value: DataValue; from: ImportedValue }>();
  let typed = false;
  const refuseAll = (code: string, message: string, object = reportId): void => {
    summary.conflict({ object, value: message, errorCode: code, ...where(input.origin) });
    summary.refused(typed ? incoming.size : input.values.length);
    summary.report({ reportId, action: 'refused' });
  };

  const period = parsePeriod(input.period);
  if (!period) return refuseAll('INVALID_PERIOD', `invalid period ${input.period}`, input.period);
  if (opts.scope !== undefined && opts.scope !== 'VN') {
    const version = await lookups.hierarchyFor(period.endDate);
    const path = await deps.hierarchy.path(version, input.orgUnit).catch(() => [] as string[]);
    if (!path.includes(opts.scope)) return refuseAll('FORBIDDEN', `${input.orgUnit} is outside your org unit ${opts.scope}`, input.orgUnit);
  }
  const catalog = await lookups.catalogFor(period.endDate);
  if (!catalog) return refuseAll('NO_CATALOG', `no catalog is in force for period ${input.period}`);
  const elements = new Map(catalog.dataElements.map((e) => [e.code, e]));

  // a second value for the same element and combination is a conflict
  for (const v of input.values) {
    const key = keyOf(v);
    if (incoming.has(key)) {
      summary.conflict({ object: objectOf(v), value: valueText(v.raw), errorCode: 'DUPLICATE_DATA_VALUE', ...where(v.origin) });
      summary.refused(1);
      continue;
    }
    const value: DataValue = {
      dataElement: v.dataElement,
      ...(v.optionCombo ? { optionCombo: v.optionCombo } : {}),
      value: typedValue(elements.get(v.dataElement)?.valueType, v.raw),
      ...(v.comment ? { comment: v.comment } : {}),
    };
    incoming.set(key, { value, from: v });
  }
  typed = true;

  const state = await readReportState(deps.store, input);
  const existing = state.status === 'none' ? null : state.values;
  const existingKeys = new Set((existing ?? []).map(keyOf));
  // DHIS2's strategies: CREATE adds new values only, UPDATE changes existing ones only, DELETE removes them
  for (const key of [...incoming.keys()]) {
    const skip = (opts.strategy === 'CREATE' && existingKeys.has(key)) || (opts.strategy === 'UPDATE' && !existingKeys.has(key));
    if (skip) {
      incoming.delete(key);
      summary.add({ ignored: 1 });
    }
  }
  const mode: MergeMode = opts.strategy === 'DELETE' ? 'delete' : opts.mode;
  const reason = input.reason?.trim() || opts.reason?.trim() || undefined;
  const store = opts.dryRun ? dryRunStore(deps.store) : deps.store;

  for (let attempt = 0; attempt < 3; attempt++) {
    const plan = mergeValues(existing, [...incoming.values()].map((i) => i.value), mode);
    if (!plan.changed) {
      summary.add(plan.counts);
      summary.report({ reportId, action: 'unchanged', ...(state.version ? { version: state.version } : {}) });
      return;
    }
    // a form made from an older version would undo what changed since (a resent form that changes nothing is fine)
    if (input.basedOnVersion !== undefined && input.basedOnVersion !== state.version) {
      return refuseAll(
        'REPORT_VERSION_CONFLICT',
        `the form was made from version ${input.basedOnVersion} of the report; it is at version ${state.version} now: download it again`,
      );
    }
    if (plan.values.length === 0 && existing === null) {
      summary.add(plan.counts);
      return;
    }
    const canonical = JSON.stringify([reportId, state.version, plan.values.map((v) => [v.dataElement, v.optionCombo ?? '', v.value, v.comment ?? ''])]);
    const submissionId = `import-${createHash('sha256').update(canonical).digest('hex').slice(0, 40)}`;
    try {
      const answer = await submitReport(
        { store, catalog: deps.catalog, hierarchy: deps.hierarchy },
        { template: input.template, orgUnit: input.orgUnit, period: input.period, submissionId, values: plan.values, ...(reason ? { reason } : {}) },
        { ...opts.ctx, ...(reason ? { reason } : {}) },
      );
      summary.add(plan.counts);
      summary.report({ reportId, action: existing === null ? 'submitted' : 'amended', version: answer.version, ...(opts.dryRun ? {} : { position: answer.position }) });
      return;
    } catch (err) {
      const e = err as { name?: string; code?: string; message?: string; details?: unknown };
      if (!(err instanceof TallyError) && e.name !== 'DomainError') throw err;
      const problems = ((e.details as { problems?: Array<{ code: string; message: string; path?: string }> } | undefined)?.problems ?? []).slice();
      const valueProblems = problems.filter((p) => /^values\[\d+\]/.test(p.path ?? ''));
      if (problems.length === 0 || valueProblems.length < problems.length) {
        const first = problems.find((p) => !/^values\[/.test(p.path ?? ''));
        return refuseAll(first?.code ?? e.code ?? 'INVALID_REQUEST', first?.message ?? e.message ?? 'refused', objectFor(first?.path, input, reportId));
      }
      // leave out the refused values (only those from the file; an existing value refused is the whole report's problem)
      let removed = 0;
      for (const p of valueProblems) {
        const index = Number(/^values\[(\d+)\]/.exec(p.path!)![1]);
        const value = plan.values[index];
        const hit = value ? incoming.get(keyOf(value)) : undefined;
        if (!hit) return refuseAll(p.code, p.message);
        summary.conflict({ object: objectOf(hit.from), value: valueText(hit.from.raw), errorCode: p.code, ...where(hit.from.origin) });
        summary.refused(1);
        incoming.delete(keyOf(value!));
        removed += 1;
      }
      if (removed === 0) return refuseAll(e.code ?? 'INVALID_REQUEST', e.message ?? 'refused');
    }
  }
  refuseAll('INVALID_REQUEST', 'the report was refused after leaving out the refused values');
}

function objectFor(path: string | undefined, input: ImportedReportInput, reportId: string): string {
  if (path === 'orgUnit') return input.orgUnit;
  if (path === 'period') return input.period;
  if (path === 'template') return input.template;
  return reportId;
}
