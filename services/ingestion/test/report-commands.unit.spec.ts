import { describe, expect, it } from 'vitest';
import type { EventContext, HierarchyQuery, OrgUnitView } from '@tally/contracts';
import { openSqliteEventStore } from '@tally/eventstore';
import { submitReport, type SubmitReportInput } from '../src/submit-report';
import { runWorkflowCommand } from '../src/workflow-commands';
import { catalogs } from './demo-catalog';

const unit = (code: string, level: string, parentCode: string | null): OrgUnitView => ({ code, name: code, shortName: code, type: level, level, parentCode });
const units: Record<string, OrgUnitView> = { '01': unit('01', 'province', null), '00004': unit('00004', 'commune', '01') };
const hierarchy: HierarchyQuery = {
  versionFor: async () => '2025',
  versions: async () => [{ id: '2025', validFrom: '2025-07-01', levels: ['country', 'province', 'commune'] }],
  unit: async (_h, code) => units[code],
  path: async (_h, code) => (code === '00004' ? ['01', '00004'] : [code]),
  children: async () => [],
  countAtLevel: async () => 0,
};
const ctx: EventContext = { actor: { id: 'officer' }, correlationId: 'c' };
const input = (submissionId: string, households: number, reason?: string): SubmitReportInput => ({
  template: 'M1719_S',
  orgUnit: '00004',
  period: '2026S1',
  submissionId,
  values: [{ dataElement: 'HH_TOTAL', value: households }],
  ...(reason ? { reason } : {}),
});

function ingestion() {
  const store = openSqliteEventStore(':memory:');
  const deps = { store, catalog: catalogs, hierarchy, now: () => new Date('2026-07-01T00:00:00Z') };
  return { store, deps, types: async (id: string) => (await store.readStream(id)).map((e) => e.type) };
}
const refusal = async (p: Promise<unknown>) => p.then(() => 'accepted', (err: { code?: string }) => err.code);

describe('ingestion: report commands through the command handler', () => {
  it('given no report, when submitted, then one submitted event; a retry of the submissionId answers the same without appending', async () => {
    const { deps, types } = ingestion();
    const first = await submitReport(deps, input('s1', 120), ctx);
    expect(first).toMatchObject({ reportId: 'report-M1719_S-00004-2026S1', version: 1, status: 'submitted', duplicate: false });
    const retry = await submitReport(deps, input('s1', 120), ctx);
    expect(retry).toMatchObject({ version: 1, duplicate: true, position: first.position });
    expect(await types(first.reportId)).toEqual(['tally.report.submitted']);
    expect(await refusal(submitReport(deps, input('s1', 999), ctx))).toBe('SUBMISSION_ID_REUSED');
  });

  it('given a submitted report, when submitted again, then an amendment needs a reason', async () => {
    const { deps, types } = ingestion();
    const { reportId } = await submitReport(deps, input('s1', 120), ctx);
    expect(await refusal(submitReport(deps, input('s2', 125), ctx))).toBe('AMENDMENT_REASON_REQUIRED');
    expect(await submitReport(deps, input('s2', 125, 'recount'), ctx)).toMatchObject({ version: 2, duplicate: false });
    const stored = await deps.store.readStream(reportId);
    expect(stored.map((e) => e.type)).toEqual(['tally.report.submitted', 'tally.report.amended']);
    expect(stored[1]).toMatchObject({ reason: 'recount', schemaVersion: 1, data: { replacesVersion: 1 } });
    expect(await types(reportId)).toHaveLength(2);
  });

  it('given a submitted report, when the province approves and locks it, then a further submission is refused', async () => {
    const { deps } = ingestion();
    const { reportId } = await submitReport(deps, input('s1', 120), ctx);
    const province = { role: 'province_reviewer', orgUnit: '01' };
    const approved = await runWorkflowCommand(deps, reportId, { action: 'approve' }, province, ctx);
    expect(approved).toMatchObject({ status: 'approved', approvals: ['province'], levels: ['province'], next: { action: 'lock', level: 'province', orgUnit: '01' } });
    expect(await runWorkflowCommand(deps, reportId, { action: 'lock' }, province, ctx)).toMatchObject({ status: 'locked', version: 3, next: null });
    expect(await refusal(submitReport(deps, input('s2', 1, 'late'), ctx))).toBe('REPORT_LOCKED');
    expect(await refusal(runWorkflowCommand(deps, reportId, { action: 'unlock', reason: 'fix' }, { role: 'commune_officer', orgUnit: '00004' }, ctx))).toBe('FORBIDDEN');
    expect(await runWorkflowCommand(deps, reportId, { action: 'unlock', reason: 'fix' }, province, ctx)).toMatchObject({ status: 'submitted', next: { action: 'amend' } });
  });

  it('refuses a workflow step on a report that does not exist', async () => {
    const { deps } = ingestion();
    expect(await refusal(runWorkflowCommand(deps, 'report-M1719_S-00004-2026S1', { action: 'approve', level: 'province' }, undefined, ctx))).toBe('REPORT_NOT_FOUND');
  });
});
