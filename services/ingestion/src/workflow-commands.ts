import { TallyError, newEvent, type CatalogQuery, type EventContext, type HierarchyQuery } from '@tally/contracts';
import {
  NATIONAL_LEVEL,
  actingLevelOf,
  approvalLevelsFor,
  lockLevelOf,
  mayLock,
  mayUnlock,
  decideWorkflow,
  evolveReport,
  parseReportStreamId,
  reportStream,
  type NextStep,
  type ReportEvent,
  type ReportValuesData,
  type WorkflowCommand,
  type WorkflowContext,
} from '@tally/core';
import { handleCommand, loadStream, type EventStore, type StreamRead } from '@tally/eventstore';

/**
 * The approval workflow on a report's stream: approve and return at a level, lock, unlock.
 * The decider (core) rules on transitions; here: the levels configured for the template in the report's hierarchy
 * version, who the next actor is, and which level the caller acts at (a reviewer acts at their own unit's level).
 */
export type WorkflowAction = 'approve' | 'return' | 'lock' | 'unlock';

export interface WorkflowInput {
  action: WorkflowAction;
  level?: string;
  reason?: string;
}

/** The caller, as authentication set it (absent when auth is off). */
export interface WorkflowActor {
  role?: string;
  orgUnit?: string;
}

export interface WorkflowAnswer {
  reportId: string;
  version: number;
  position: number;
  status: string;
  /** levels approved so far, in order */
  approvals: string[];
  /** every approval level of this report */
  levels: string[];
  next: NextStep | null;
}

export interface WorkflowDeps {
  store: EventStore;
  catalog: CatalogQuery;
  hierarchy: HierarchyQuery;
}

export async function runWorkflowCommand(deps: WorkflowDeps, reportId: string, input: WorkflowInput, actor: WorkflowActor | undefined, ctx: EventContext): Promise<WorkflowAnswer> {
  if (!parseReportStreamId(reportId)) throw new TallyError('REPORT_NOT_FOUND', `no report ${reportId}`);
  const { state: current, ...read } = await loadStream(deps.store, reportId, reportStream);
  const key = current.key;
  if (current.status === 'none' || !key) throw new TallyError('REPORT_NOT_FOUND', `no report ${reportId}`);
  const context = await workflowContext(deps, read);
  const actorLevel = await levelOf(deps.hierarchy, key.hierarchy, actor);
  const command = commandFor(input, context, actorLevel);

  return handleCommand(deps.store, reportId, reportStream, (state) => {
    const decided = decideWorkflow(command, state);
    let after = state;
    for (const e of decided) after = evolveReport(after, e);
    const next = nextStepOf(decided[decided.length - 1]);
    return {
      append: decided.map((e) => newEvent<string, unknown>('tally/ingestion', reportId, e, { ...ctx, ...(reasonOf(e) ? { reason: reasonOf(e) } : {}) })),
      result: ({ positions, nextVersion }): WorkflowAnswer => ({
        reportId,
        version: nextVersion,
        position: positions[positions.length - 1]!,
        status: after.status,
        approvals: after.approvals,
        levels: context.levels,
        next,
      }),
    };
  });
}

function reasonOf(e: ReportEvent): string | undefined {
  return 'reason' in e.data && typeof e.data.reason === 'string' ? e.data.reason : undefined;
}

/** Who acts next, as the last decided event says (submissions name nobody). */
function nextStepOf(e: ReportEvent | undefined): NextStep | null {
  if (!e || e.type === 'tally.report.submitted' || e.type === 'tally.report.amended') return null;
  return e.data.next;
}

/** The values of the report's latest submission or amendment. */
function latestValues(read: StreamRead<ReportEvent>): ReportValuesData | null {
  for (let i = read.events.length - 1; i >= 0; i--) {
    const e = read.events[i]!.event;
    if (e.type === 'tally.report.submitted' || e.type === 'tally.report.amended') return e.data;
  }
  return null;
}

/** The report's approval levels (from its template in the catalog version it was submitted under) and its unit's ancestors by level. */
export async function workflowContext(deps: WorkflowDeps, read: StreamRead<ReportEvent>): Promise<WorkflowContext> {
  const d = latestValues(read);
  if (!d) throw new TallyError('REPORT_NOT_FOUND', `no report ${read.streamId}`);
  const catalog = await deps.catalog.catalogVersion(d.catalogVersion);
  const template = catalog?.templates.find((t) => t.code === d.template);
  const version = (await deps.hierarchy.versions()).find((v) => v.id === d.hierarchy);
  const hierarchyLevels = version?.levels ?? [];
  // only levels above the reporting level review
  const reportingIdx = template ? hierarchyLevels.indexOf(template.reportingLevel) : hierarchyLevels.length;
  const above = hierarchyLevels.slice(0, reportingIdx < 0 ? hierarchyLevels.length : reportingIdx);
  const levels = approvalLevelsFor(template?.approvalLevels, above);
  const ancestors: Record<string, string> = {};
  for (const code of await deps.hierarchy.path(d.hierarchy, d.orgUnit)) {
    const unit = await deps.hierarchy.unit(d.hierarchy, code);
    if (unit) ancestors[unit.level] = code;
  }
  return { levels, ancestors };
}

/** The level the caller acts at (core's actingLevelOf) in the report's hierarchy; undefined when anonymous. */
async function levelOf(hierarchy: HierarchyQuery, version: string, actor: WorkflowActor | undefined): Promise<string | undefined> {
  if (!actor?.orgUnit) return undefined;
  return actingLevelOf(actor.orgUnit, (await hierarchy.unit(version, actor.orgUnit))?.level);
}

function commandFor(input: WorkflowInput, context: WorkflowContext, actorLevel: string | undefined): WorkflowCommand {
  const actsAt = (): string => {
    if (actorLevel === undefined || actorLevel === NATIONAL_LEVEL) {
      const level = input.level ?? (actorLevel === NATIONAL_LEVEL ? context.levels.find(() => true) : undefined);
      if (!level) throw new TallyError('INVALID_REQUEST', 'give the approval level ("level")');
      return level;
    }
    if (input.level !== undefined && input.level !== actorLevel) {
      throw new TallyError('FORBIDDEN', `you review at the ${actorLevel} level, not at the ${input.level} level`);
    }
    return actorLevel;
  };
  const top = lockLevelOf(context.levels);
  switch (input.action) {
    case 'approve':
      return { type: 'ApproveReport', data: { ...context, level: actsAt() } };
    case 'return':
      return { type: 'ReturnReport', data: { ...context, level: actsAt(), reason: input.reason ?? '' } };
    case 'lock':
      if (!mayLock(actorLevel, context.levels)) {
        throw new TallyError('FORBIDDEN', `a report is locked at the ${top} level; you act at the ${actorLevel} level`);
      }
      return { type: 'LockReport', data: context };
    case 'unlock':
      if (!mayUnlock(actorLevel)) {
        throw new TallyError('FORBIDDEN', `only a province may unlock a report; you act at the ${actorLevel} level`);
      }
      return { type: 'UnlockReport', data: { ...context, reason: input.reason ?? '' } };
  }
}
