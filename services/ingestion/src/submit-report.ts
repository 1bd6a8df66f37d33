import { createHash } from 'node:crypto';
import { TallyError, newEvent, type CatalogQuery, type EventContext, type HierarchyQuery } from '@tally/contracts';
import {
  checkRules,
  decideSubmit,
  optionCombos,
  parsePeriod,
  reportStream,
  reportStreamId,
  validateSubmission,
  type DataValue,
  type Figures,
} from '@tally/core';
import { handleCommand, type CommandDecision, type EventStore } from '@tally/eventstore';

export interface SubmitReportInput {
  template: string;
  orgUnit: string;
  period: string;
  submissionId: string;
  values: DataValue[];
  reason?: string;
  figures?: Figures;
}

export interface SubmitReportAnswer {
  reportId: string;
  version: number;
  status: string;
  position: number;
  /** true when this submissionId was seen before and nothing changed */
  duplicate: boolean;
}

export interface SubmitDeps {
  store: EventStore;
  catalog: CatalogQuery;
  hierarchy: HierarchyQuery;
  now?: () => Date;
}

/**
 * Checks a report synchronously (shape is checked by the caller's schema; here: catalog, unit, period, values),
 * then decides on the report's stream and appends. Answers once the events are durably in the log.
 */
export async function submitReport(deps: SubmitDeps, input: SubmitReportInput, ctx: EventContext): Promise<SubmitReportAnswer> {
  const period = parsePeriod(input.period);
  const date = period?.endDate;
  const catalog = await deps.catalog.catalogFor(date);
  if (!catalog) throw new TallyError('NO_CATALOG', `no catalog is in force for period ${input.period}`);
  const hierarchy = await deps.hierarchy.versionFor(date ?? new Date().toISOString().slice(0, 10));
  const unit = await deps.hierarchy.unit(hierarchy, input.orgUnit);
  const problems = validateSubmission(input, {
    catalog,
    period: period ? { type: period.type, endDate: period.endDate } : null,
    unit,
    optionCombosOf: (combo) => optionCombos(catalog, combo),
  });
  if (problems.length > 0) {
    const first = problems[0]!;
    throw new TallyError(first.code, first.message, { problems });
  }
  const rejected = checkRules(catalog, input.values, { onViolation: 'REJECT', ...(period ? { periodType: period.type } : {}) });
  if (rejected.length > 0) {
    throw new TallyError('VALIDATION_RULE_VIOLATED', rejected.map((v) => v.message).join('; '), { violations: rejected });
  }

  const reportId = reportStreamId(input);
  const figures: Figures = input.figures ?? 'official';
  const submittedAt = (deps.now?.() ?? new Date()).toISOString();
  const contentHash = hashOf({ ...input, figures });
  const reason = input.reason?.trim() || undefined;

  return handleCommand(deps.store, reportId, reportStream, (state): CommandDecision<SubmitReportAnswer> => {
    const decision = decideSubmit(
      {
        type: 'SubmitReport',
        data: {
          reportId,
          template: input.template,
          orgUnit: input.orgUnit,
          period: input.period,
          hierarchy,
          submissionId: input.submissionId,
          figures,
          catalogVersion: catalog.version,
          values: input.values,
          submittedAt,
          contentHash,
          ...(reason ? { reason } : {}),
        },
      },
      state,
    );
    if (decision.kind === 'duplicate') {
      return { result: { reportId, version: decision.record.version, status: 'submitted', position: decision.record.position ?? 0, duplicate: true } };
    }
    return {
      append: decision.events.map((e) => newEvent('tally/ingestion', reportId, e, { ...ctx, ...(reason ? { reason } : {}) })),
      result: ({ positions, nextVersion }) => ({ reportId, version: nextVersion, status: 'submitted', position: positions[positions.length - 1]!, duplicate: false }),
    };
  });
}

/** A stable hash of what was submitted, so a retry can be told from a reuse of the same submissionId. */
function hashOf(input: SubmitReportInput & { figures: Figures }): string {
  const values = input.values
    .map((v) => ({ order: `${v.dataElement}.${v.optionCombo ?? ''}`, entry: [v.dataElement, v.optionCombo ?? '', v.value] as const }))
    .sort((a, b) => (a.order < b.order ? -1 : 1))
    .map((v) => v.entry);
  const canonical = JSON.stringify([input.template, input.orgUnit, input.period, input.figures, input.reason?.trim() ?? '', values]);
  return createHash('sha256').update(canonical).digest('hex');
}
