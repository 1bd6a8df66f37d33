import { describe, expect, it } from 'vitest';
import { dueList, type DueTemplate } from '../src';

const HALF: DueTemplate = { code: 'M1719_S', name: 'Half-year', periodType: 'SIXMONTHLY', reportingLevel: 'commune', deadlineDaysAfterPeriodEnd: 15 };
const YEAR: DueTemplate = { code: 'PROV_Y', name: 'Province year', periodType: 'YEARLY', reportingLevel: 'province', deadlineDaysAfterPeriodEnd: 30 };
const levels2025 = ['country', 'province', 'commune'];

describe('dueList: what a reporting unit has to report', () => {
  const base = { templates: [HALF, YEAR], unitLevel: () => 'commune', levels: () => levels2025, reports: [] };

  it('lists the current period and the three before, only for templates its level reports', () => {
    const items = dueList({ ...base, today: '2026-08-01' });
    expect(items.map((i) => `${i.template} ${i.period}`)).toEqual(['M1719_S 2026S2', 'M1719_S 2026S1', 'M1719_S 2025S2', 'M1719_S 2025S1']);
  });

  it('gives every tier its cascading deadline, the reporting unit first', () => {
    const [current, previous] = dueList({ ...base, today: '2026-07-10' });
    expect(current!.status).toBe('open');
    expect(previous!.deadline).toBe('2026-07-15');
    expect(previous!.tierDeadlines).toEqual([
      { level: 'commune', deadline: '2026-07-15' },
      { level: 'province', deadline: '2026-07-20' },
      { level: 'country', deadline: '2026-07-25' },
    ]);
  });

  it('is due until the deadline (inclusive) and late after it', () => {
    expect(dueList({ ...base, today: '2026-07-15' })[1]!.status).toBe('due');
    expect(dueList({ ...base, today: '2026-07-16' })[1]!.status).toBe('late');
  });

  it("takes a report's own workflow status when there is one", () => {
    const reports = [
      { template: 'M1719_S', period: '2026S1', status: 'returned', reportId: 'report-M1719_S-01840-2026S1', version: 2 },
      { template: 'M1719_S', period: '2025S2', status: 'approved', reportId: 'report-M1719_S-01840-2025S2', version: 3 },
    ];
    const items = dueList({ ...base, reports, today: '2026-08-01' });
    expect(items[1]).toMatchObject({ period: '2026S1', status: 'returned', reportId: 'report-M1719_S-01840-2026S1', version: 2 });
    expect(items[2]).toMatchObject({ period: '2025S2', status: 'approved' });
    expect(items[3]).toMatchObject({ period: '2025S1', status: 'late' });
    expect(items[3]!.reportId).toBeUndefined();
  });

  it('reads each period on its own map: a unit that did not report at that level then is skipped', () => {
    const items = dueList({ ...base, unitLevel: (p) => (p < '2025S2' ? 'district' : 'commune'), today: '2026-08-01' });
    expect(items.map((i) => i.period)).toEqual(['2026S2', '2026S1', '2025S2']);
  });
});
