import { describe, it } from 'vitest';
import { reportDecider, type ReportCommand, type ReportEvent, type ReportState } from '@tally/core';
import { deciderSpec } from '@tally/testkit/spec';

/** The report decider as given/when/then: a duplicate submission decides no events. */
const spec = deciderSpec<ReportCommand, ReportEvent, ReportState>({
  initialState: reportDecider.initialState,
  evolve: (s, e) => reportDecider.evolve(s, e),
  decide: (c, s) => {
    const d = reportDecider.decide(c, s);
    return d.kind === 'append' ? d.events : [];
  },
});

const ID = 'report-M1719_S-00004-2026S1';
const key = { template: 'M1719_S', orgUnit: '00004', period: '2026S1' };
const values = (submissionId: string, n: number) => ({
  reportId: ID,
  ...key,
  hierarchy: '2025',
  submissionId,
  figures: 'official' as const,
  catalogVersion: '1',
  values: [{ dataElement: 'HH_TOTAL', value: n }],
  submittedAt: '2026-07-01T00:00:00.000Z',
  contentHash: `h-${submissionId}-${n}`,
});
const submitted: ReportEvent = { type: 'tally.report.submitted', data: values('s1', 10) };
const context = { levels: ['district', 'province'], ancestors: { district: '001', province: '01' } };
const base = { reportId: ID, ...key, hierarchy: '2025' };

describe('the report decider, given/when/then', () => {
  it('given nothing, when submitted, then submitted', () => {
    spec.given([]).when({ type: 'SubmitReport', data: values('s1', 10) }).then([submitted]);
  });

  it('given a submission, when the same submissionId comes again, then nothing new; with other content, refused', () => {
    spec.given([submitted]).when({ type: 'SubmitReport', data: values('s1', 10) }).then([]);
    spec.given([submitted]).when({ type: 'SubmitReport', data: values('s1', 11) }).thenRefuses('SUBMISSION_ID_REUSED');
  });

  it('given a submission, when amended with a reason, then amended replacing version 1; without one, refused', () => {
    spec
      .given([submitted])
      .when({ type: 'SubmitReport', data: { ...values('s2', 12), reason: ' recount ' } })
      .then([{ type: 'tally.report.amended', data: { ...values('s2', 12), reason: 'recount', replacesVersion: 1 } }]);
    spec.given([submitted]).when({ type: 'SubmitReport', data: values('s2', 12) }).thenRefuses('AMENDMENT_REASON_REQUIRED');
  });

  it('given a submission, when the district approves, then approved with the province next; the province first is refused', () => {
    spec
      .given([submitted])
      .when({ type: 'ApproveReport', data: { ...context, level: 'district' } })
      .then([{ type: 'tally.report.approved', data: { ...base, level: 'district', final: false, next: { action: 'approve', level: 'province', orgUnit: '01' } } }]);
    spec.given([submitted]).when({ type: 'ApproveReport', data: { ...context, level: 'province' } }).thenRefuses('INVALID_TRANSITION');
  });

  it('given a locked report, when submitted, then refused until unlocked', () => {
    const locked: ReportEvent = { type: 'tally.report.locked', data: { ...base, next: null } };
    spec.given([submitted, locked]).when({ type: 'SubmitReport', data: { ...values('s3', 1), reason: 'x' } }).thenRefuses('REPORT_LOCKED');
    spec
      .given([submitted, locked])
      .when({ type: 'UnlockReport', data: { ...context, reason: 'fix' } })
      .then([{ type: 'tally.report.unlocked', data: { ...base, reason: 'fix', next: { action: 'amend', orgUnit: '00004' } } }]);
  });
});
