import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '@tally/contracts';
import type { ReportValuesData, ReportWorkflowData } from '@tally/core';
import { openSqliteReadStore } from '@tally/readstore';
import { stored } from '@tally/testkit/spec';
import type { ProgressDoc } from '../src/open-data-model';
import { datasetsSteps, type DatasetsStep } from '../src/report-progress';

/** The open-data consumer's batch of report events: progress folded per template, the same documents as one event at a time. */
const values = (template: string, orgUnit: string, period: string): ReportValuesData => ({
  reportId: `report-${template}-${orgUnit}-${period}`,
  template,
  orgUnit,
  period,
  hierarchy: '2025',
  submissionId: `s-${orgUnit}-${period}`,
  figures: 'official',
  catalogVersion: '1',
  values: [],
  submittedAt: '2026-07-01T00:00:00.000Z',
  contentHash: 'h',
});
const workflow = (template: string, orgUnit: string, period: string): ReportWorkflowData => ({ reportId: `report-${template}-${orgUnit}-${period}`, template, orgUnit, period, hierarchy: '2025', next: null });

const batch: StoredEvent[] = [
  stored({ type: 'tally.report.submitted', data: values('M1719_S', '01840', '2026S1') }, { subject: 'r1', streamVersion: 1, position: 11 }),
  stored({ type: 'tally.report.submitted', data: values('M1719_Y', '01840', '2026') }, { subject: 'r2', streamVersion: 1, position: 12 }),
  stored({ type: 'tally.report.amended', data: { ...values('M1719_S', '01840', '2026S1'), reason: 'sửa số hộ', replacesVersion: 1 } }, { subject: 'r1', streamVersion: 2, position: 13 }),
  stored({ type: 'tally.report.submitted', data: values('M1719_S', '01841', '2026S2') }, { subject: 'r3', streamVersion: 1, position: 14 }),
  stored({ type: 'tally.report.locked', data: workflow('M1719_S', '01841', '2026S2') }, { subject: 'r3', streamVersion: 2, position: 15 }),
  stored({ type: 'tally.report.approved', data: { ...workflow('M1719_S', '01840', '2026S1'), level: 'district', final: false } }, { subject: 'r1', streamVersion: 3, position: 16 }),
  stored({ type: 'tally.report.submitted', data: values('M1719_S', '01842', '2025S2') }, { subject: 'r4', streamVersion: 1, position: 17 }),
];

async function applied(steps: DatasetsStep[][]): Promise<ProgressDoc[]> {
  const progress = openSqliteReadStore(':memory:').collection<ProgressDoc>('opendata_datasets');
  for (const run of steps) for (const s of run) if (s.kind === 'progress') await progress.update(s.id, s.update, s.guard);
  return progress.find({});
}

describe('open-data progress per batch', () => {
  it('folds consecutive submissions of a template into one update, ends a fold at a release made due, and leaves what one event at a time leaves', async () => {
    const steps = datasetsSteps(batch, 3);
    expect(steps.map((s) => (s.kind === 'progress' ? `progress ${s.id} ${s.guard.below}` : `due ${s.trigger} ${s.event.position}`))).toEqual([
      'progress M1719_S|p3 14',
      'progress M1719_Y|p3 12',
      'due locked 15',
      'progress M1719_S|p3 17',
    ]);
    const folded = await applied([steps]);
    expect(folded).toEqual(await applied(batch.map((e) => datasetsSteps([e], 3))));
    expect(folded.find((d) => d._id === 'M1719_S|p3')).toMatchObject({ applied: 17, periods: { '2026S1': true, '2026S2': true, '2025S2': true }, updatedAt: batch[6]!.time });
    // the batch again (a redelivery) changes nothing, in one piece or from its middle on
    expect(await applied([steps, steps, datasetsSteps(batch.slice(2), 3)])).toEqual(folded);
  });
});
