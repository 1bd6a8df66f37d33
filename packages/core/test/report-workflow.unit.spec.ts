import { describe, expect, it } from 'vitest';
import {
  approvalLevelsFor,
  decideSubmit,
  decideWorkflow,
  evolveReport,
  initialReportState,
  reportDecider,
  type ReportEvent,
  type ReportState,
  type WorkflowCommand,
  type WorkflowContext,
} from '../src/report/index';
import { DomainError } from '../src/errors';

/**
 * The approval workflow as a specification: given events, when a command, then events (or a coded refusal).
 * submitted -> approved at each level in order -> locked; return (with a reason) at any level -> amend restarts;
 * after lock only an unlock (with a reason) allows change.
 */
const ctx: WorkflowContext = { levels: ['district', 'province'], ancestors: { country: 'VN', province: '19', district: '168', commune: '05611' } };
const values = (submissionId: string, total: number) => ({
  reportId: 'report-M1719_S-05611-2024S2',
  template: 'M1719_S',
  orgUnit: '05611',
  period: '2024S2',
  hierarchy: 'pre2025',
  submissionId,
  figures: 'official' as const,
  catalogVersion: '1',
  values: [{ dataElement: 'HH_TOTAL', value: total }],
  submittedAt: '2025-01-05T00:00:00Z',
  contentHash: `h-${submissionId}`,
});

function given(...events: ReportEvent[]): ReportState {
  return events.reduce((s, e) => evolveReport(s, e), initialReportState());
}
const submitted: ReportEvent = { type: 'tally.report.submitted', data: values('s1', 100) };
const approve = (level: string): WorkflowCommand => ({ type: 'ApproveReport', data: { ...ctx, level } });
const ret = (level: string, reason: string): WorkflowCommand => ({ type: 'ReturnReport', data: { ...ctx, level, reason } });
const lock: WorkflowCommand = { type: 'LockReport', data: ctx };
const unlock = (reason: string): WorkflowCommand => ({ type: 'UnlockReport', data: { ...ctx, reason } });

/** runs a sequence of commands from a state, each on the state the previous ones produced */
function run(state: ReportState, ...commands: WorkflowCommand[]): { state: ReportState; events: ReportEvent[] } {
  const events: ReportEvent[] = [];
  for (const c of commands) {
    const decided = decideWorkflow(c, state);
    events.push(...decided);
    state = decided.reduce((s, e) => evolveReport(s, e), state);
  }
  return { state, events };
}

function refusal(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(DomainError);
    return (err as DomainError).code;
  }
  throw new Error('expected a refusal');
}

describe('report approval workflow', () => {
  it('approves level by level, names who acts next, then locks', () => {
    const { state, events } = run(given(submitted), approve('district'), approve('province'), lock);
    expect(events.map((e) => e.type)).toEqual(['tally.report.approved', 'tally.report.approved', 'tally.report.locked']);
    expect(events[0]!.data).toMatchObject({ level: 'district', final: false, next: { action: 'approve', level: 'province', orgUnit: '19' }, orgUnit: '05611', hierarchy: 'pre2025' });
    expect(events[1]!.data).toMatchObject({ level: 'province', final: true, next: { action: 'lock', level: 'province', orgUnit: '19' } });
    expect(events[2]!.data).toMatchObject({ next: null });
    expect(state.status).toBe('locked');
    expect(state.approvals).toEqual(['district', 'province']);
  });

  it('refuses approval out of order, twice, or at a level that is not configured', () => {
    expect(refusal(() => decideWorkflow(approve('province'), given(submitted)))).toBe('INVALID_TRANSITION');
    const afterDistrict = run(given(submitted), approve('district')).state;
    expect(refusal(() => decideWorkflow(approve('district'), afterDistrict))).toBe('INVALID_TRANSITION');
    expect(refusal(() => decideWorkflow(approve('commune'), given(submitted)))).toBe('INVALID_TRANSITION');
  });

  it('refuses to lock before every level approved, and any command on a report that does not exist', () => {
    expect(refusal(() => decideWorkflow(lock, given(submitted)))).toBe('INVALID_TRANSITION');
    expect(refusal(() => decideWorkflow(lock, run(given(submitted), approve('district')).state))).toBe('INVALID_TRANSITION');
    for (const c of [approve('district'), ret('district', 'x'), lock, unlock('x')]) expect(refusal(() => decideWorkflow(c, initialReportState()))).toBe('REPORT_NOT_FOUND');
  });

  it('returns with a reason at any level back to the submitter; the amendment restarts approval', () => {
    const approvedOnce = run(given(submitted), approve('district')).state;
    const { state, events } = run(approvedOnce, ret('province', 'Số hộ nghèo chưa khớp'));
    expect(events[0]!.data).toMatchObject({ level: 'province', reason: 'Số hộ nghèo chưa khớp', next: { action: 'amend', orgUnit: '05611' } });
    expect(state.status).toBe('returned');
    expect(state.approvals).toEqual([]);
    // returned: no approval until amended
    expect(refusal(() => decideWorkflow(approve('district'), state))).toBe('INVALID_TRANSITION');
    expect(refusal(() => decideWorkflow(ret('district', 'again'), state))).toBe('INVALID_TRANSITION');
    const amendment = decideSubmit({ type: 'SubmitReport', data: { ...values('s2', 120), reason: 'sửa theo góp ý' } }, state);
    expect(amendment.kind).toBe('append');
    const amended = given(submitted, ...events, ...(amendment.kind === 'append' ? amendment.events : []));
    expect(amended.status).toBe('submitted');
    expect(run(amended, approve('district'), approve('province'), lock).state.status).toBe('locked');
  });

  it('needs a reason to return and to unlock', () => {
    expect(refusal(() => decideWorkflow(ret('district', '   '), given(submitted)))).toBe('INVALID_REQUEST');
    const locked = run(given(submitted), approve('district'), approve('province'), lock).state;
    expect(refusal(() => decideWorkflow(unlock(''), locked))).toBe('INVALID_REQUEST');
  });

  it('an amendment after approval restarts approval from the first level', () => {
    const approved = run(given(submitted), approve('district'), approve('province')).state;
    const d = decideSubmit({ type: 'SubmitReport', data: { ...values('s3', 130), reason: 'late correction' } }, approved);
    const after = d.kind === 'append' ? d.events.reduce((s, e) => evolveReport(s, e), approved) : approved;
    expect(after.status).toBe('submitted');
    expect(after.approvals).toEqual([]);
    expect(refusal(() => decideWorkflow(approve('province'), after))).toBe('INVALID_TRANSITION');
  });

  it('after lock nothing changes until an unlock; then the submitter may amend', () => {
    const locked = run(given(submitted), approve('district'), approve('province'), lock).state;
    expect(refusal(() => decideSubmit({ type: 'SubmitReport', data: { ...values('s4', 1), reason: 'x' } }, locked))).toBe('REPORT_LOCKED');
    expect(refusal(() => decideWorkflow(approve('district'), locked))).toBe('REPORT_LOCKED');
    expect(refusal(() => decideWorkflow(ret('province', 'x'), locked))).toBe('REPORT_LOCKED');
    expect(refusal(() => decideWorkflow(lock, locked))).toBe('INVALID_TRANSITION');
    const { state, events } = run(locked, unlock('Sai số liệu vốn'));
    expect(events[0]).toMatchObject({ type: 'tally.report.unlocked', data: { reason: 'Sai số liệu vốn', next: { action: 'amend', orgUnit: '05611' } } });
    expect(state.status).toBe('submitted');
    expect(refusal(() => decideWorkflow(unlock('again'), state))).toBe('INVALID_TRANSITION');
    expect(decideSubmit({ type: 'SubmitReport', data: { ...values('s5', 2), reason: 'fix' } }, state).kind).toBe('append');
  });

  it('with no approval level, a submitted report can be locked at once', () => {
    const none = { ...ctx, levels: [] };
    expect(decideWorkflow({ type: 'LockReport', data: none }, given(submitted))[0]!.type).toBe('tally.report.locked');
    expect(refusal(() => decideWorkflow({ type: 'ApproveReport', data: { ...none, level: 'district' } }, given(submitted)))).toBe('INVALID_TRANSITION');
  });

  it('the decider dispatches every command', () => {
    const d = reportDecider.decide(approve('district'), given(submitted));
    expect(d.kind === 'append' && d.events[0]!.type).toBe('tally.report.approved');
  });

  it('approval levels: configured or default, kept in order, only levels of the hierarchy version', () => {
    expect(approvalLevelsFor(undefined, ['country', 'province', 'district'])).toEqual(['district', 'province']);
    expect(approvalLevelsFor(undefined, ['country', 'province'])).toEqual(['province']);
    expect(approvalLevelsFor(['province', 'country'], ['country', 'province'])).toEqual(['province', 'country']);
    expect(approvalLevelsFor(['district', 'district'], ['country', 'province', 'district'])).toEqual(['district']);
    expect(approvalLevelsFor([], ['country', 'province'])).toEqual([]);
  });
});
