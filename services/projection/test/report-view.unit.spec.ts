import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '@tally/contracts';
import type { ReportEvent } from '@tally/core';
import { openSqliteReadStore } from '@tally/readstore';
import { projectionSpec, streamOf } from '@tally/testkit/spec';
import { projectReportEvent } from '../src/project-report';
import { REPORTS, type ReportViewDoc } from '../src/report-view';

const ID = 'report-M1719_S-00001-2026S1';
const values = (submissionId: string, n: number) => ({
  reportId: ID,
  template: 'M1719_S',
  orgUnit: '00001',
  period: '2026S1',
  hierarchy: '2025',
  submissionId,
  figures: 'official' as const,
  catalogVersion: '1',
  values: [{ dataElement: 'HH_TOTAL', value: n }],
  submittedAt: '2026-07-01T00:00:00.000Z',
  contentHash: `h-${submissionId}`,
});
const workflow = { reportId: ID, template: 'M1719_S', orgUnit: '00001', period: '2026S1', hierarchy: '2025', next: null };
const history: ReportEvent[] = [
  { type: 'tally.report.submitted', data: values('s1', 10) },
  { type: 'tally.report.returned', data: { ...workflow, level: 'district', reason: 'check' } },
  { type: 'tally.report.amended', data: { ...values('s2', 12), reason: 'fixed', replacesVersion: 2 } },
  { type: 'tally.report.approved', data: { ...workflow, level: 'district', final: false } },
];

function projection() {
  const reports = openSqliteReadStore(':memory:').collection<ReportViewDoc>(REPORTS);
  return projectionSpec(
    async (events: StoredEvent[]) => {
      for (const e of events) await projectReportEvent(reports, e);
    },
    () => reports.get(ID),
  );
}

describe('projection: the report view', () => {
  it('given a submission, a return, an amendment and an approval, then the view has the latest values, status and every step', async () => {
    const view = await projection()
      .given(streamOf(ID, history))
      .then((v) => {
        expect(v).toMatchObject({ status: 'approved', version: 4, values: [{ dataElement: 'HH_TOTAL', value: 12 }], submittedAt: '2026-07-01T00:00:00.000Z' });
      });
    expect(view!.history.map((h) => [h.version, h.type, h.level ?? h.submissionId])).toEqual([
      [1, 'tally.report.submitted', 's1'],
      [2, 'tally.report.returned', 'district'],
      [3, 'tally.report.amended', 's2'],
      [4, 'tally.report.approved', 'district'],
    ]);
  });

  it('given only workflow events of an unknown report, then there is no view; events of other types change nothing', async () => {
    const stray = streamOf(ID, [{ type: 'tally.report.locked', data: workflow }]);
    await projection().given(stray).then(null);
    const other = streamOf(ID, [{ type: 'tally.target.set', data: {} }]);
    await projection().given(other).then(null);
  });

  it('given a lock and an unlock, then the status follows the core rule (unlocked is submitted again)', async () => {
    await projection()
      .given(streamOf(ID, [history[0]!, { type: 'tally.report.locked', data: workflow }, { type: 'tally.report.unlocked', data: { ...workflow, reason: 'fix' } }]))
      .then((v) => expect(v).toMatchObject({ status: 'submitted', version: 3 }));
  });
});
