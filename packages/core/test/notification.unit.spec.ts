import { describe, expect, it } from 'vitest';
import {
  addDays,
  decideTask,
  deadlineNoticeKey,
  dueDeadlineNotices,
  dueRule,
  evolveTask,
  periodsDueAround,
  taskStatus,
  vietnamDateOf,
  DEFAULT_DEADLINE_POLICY,
  type DeadlineTemplate,
  type DeadlineUnit,
  type TaskAssignedData,
  type TaskState,
} from '../src';

const task: TaskAssignedData = {
  taskId: 't1',
  title: 'Nộp báo cáo',
  body: null,
  orgUnits: ['01840', '01841'],
  dueDate: '2026-07-15',
  template: 'M1719_S',
  period: '2026S1',
  hierarchy: '2025',
  assignedBy: '19',
};

const fold = (events: ReturnType<typeof decideTask>, s: TaskState | null = null): TaskState | null => events.reduce<TaskState | null>((st, e) => evolveTask(st, e, { time: '2026-07-01T00:00:00Z' }), s);

describe('task decider', () => {
  it('assigns once, marks units already reported as done, and a unit done twice changes nothing', () => {
    const events = decideTask(null, { kind: 'assign', task, reported: [{ orgUnit: '01841', reportId: 'r' }, { orgUnit: '99999', reportId: 'x' }] });
    expect(events.map((e) => e.type)).toEqual(['tally.task.assigned', 'tally.task.done']);
    const s = fold(events)!;
    expect(taskStatus(s, '01841', '2026-07-01')).toBe('done');
    expect(taskStatus(s, '01840', '2026-07-15')).toBe('open');
    expect(taskStatus(s, '01840', '2026-07-16')).toBe('overdue');
    const done = decideTask(s, { kind: 'done', orgUnit: '01840', via: 'manual' });
    expect(done).toHaveLength(1);
    expect(decideTask(fold(done, s), { kind: 'done', orgUnit: '01840', via: 'report' })).toEqual([]);
    expect(() => decideTask(s, { kind: 'assign', task, reported: [] })).toThrow(/exists/);
    expect(() => decideTask(s, { kind: 'done', orgUnit: '01842', via: 'manual' })).toThrow(/does not address/);
    expect(() => decideTask(null, { kind: 'done', orgUnit: '01840', via: 'manual' })).toThrow(/no such task/);
    expect(() => decideTask(null, { kind: 'assign', task: { ...task, orgUnits: ['1', '1'] }, reported: [] })).toThrow(/twice/);
  });
});

describe('deadline notices', () => {
  // 2025 map: country > province > commune; M1719_S due 15 days after the half year: commune 2026-07-15, province 07-20, VN 07-25
  const levels = ['country', 'province', 'commune'];
  const units: DeadlineUnit[] = [
    { code: 'VN', parentCode: null, level: 'country' },
    { code: '19', parentCode: 'VN', level: 'province' },
    { code: '20', parentCode: 'VN', level: 'province' },
    { code: 'A', parentCode: '19', level: 'commune' },
    { code: 'B', parentCode: '19', level: 'commune' },
    { code: 'C', parentCode: '20', level: 'commune' },
  ];
  const template: DeadlineTemplate = { code: 'M1719_S', periodType: 'SIXMONTHLY', reportingLevel: 'commune', deadlineDaysAfterPeriodEnd: 15 };
  const at = (today: string, received: string[] = ['C']) => dueDeadlineNotices({ today, template, period: '2026S1', levels, units, received: new Set(received) });

  it('reminds the units behind 7, 3 and 1 days before their tier deadline, and tells the unit and its parent when overdue', () => {
    expect(at('2026-07-07')).toEqual([]);
    const seven = at('2026-07-08');
    expect(seven.map((n) => [n.rule, n.orgUnit, n.offset, n.tier])).toEqual([
      ['reminder', 'A', 7, 0],
      ['reminder', 'B', 7, 0],
    ]);
    expect(at('2026-07-12').map((n) => n.offset)).toEqual([3, 3]);
    // on 07-14 the communes get their last reminder, province 19 (due 07-20) its first
    expect(at('2026-07-14').map((n) => [n.orgUnit, n.offset])).toEqual([['A', 1], ['B', 1], ['19', 7]]);
    expect(at('2026-07-15').filter((n) => n.tier === 0)).toEqual([]); // the communes' deadline day itself
    const overdue = at('2026-07-16');
    expect(overdue.filter((n) => n.tier === 0).map((n) => [n.rule, n.orgUnit, n.recipients])).toEqual([
      ['overdue', 'A', ['A', '19']],
      ['overdue', 'B', ['B', '19']],
    ]);
    // the province's own (tier 1) deadline is 07-20: its 1-day reminder counts the communes still missing
    const province = at('2026-07-19', ['C', 'A']).find((n) => n.orgUnit === '19')!;
    expect(province).toMatchObject({ rule: 'reminder', offset: 1, tier: 1, deadline: '2026-07-20', expected: 2, missing: 1 });
    // province 20 has everything: nothing for it at any tier
    expect(at('2026-07-21').some((n) => n.orgUnit === '20' || n.orgUnit === 'C')).toBe(false);
    expect(at('2026-07-21', ['A', 'B', 'C'])).toEqual([]);
  });

  it('catches up with the latest reminder only, stops overdue notices after the window, and keys notices', () => {
    expect(dueRule('2026-07-10', '2026-07-15', DEFAULT_DEADLINE_POLICY)).toEqual({ rule: 'reminder', offset: 7 });
    expect(dueRule('2026-07-13', '2026-07-15', { reminderOffsets: [1, 3], overdueWindowDays: 2 })).toEqual({ rule: 'reminder', offset: 3 });
    expect(dueRule('2026-07-17', '2026-07-15', { reminderOffsets: [1], overdueWindowDays: 2 })).toEqual({ rule: 'overdue', offset: 0 });
    expect(dueRule('2026-07-18', '2026-07-15', { reminderOffsets: [1], overdueWindowDays: 2 })).toBeNull();
    expect(deadlineNoticeKey({ rule: 'reminder', template: 'T', orgUnit: 'A', period: '2026S1', offset: 3 })).toBe('reminder-T-A-2026S1-3');
    expect(at('2026-07-16').filter((n) => n.orgUnit === 'A')).toHaveLength(1);
    expect(dueDeadlineNotices({ today: '2026-07-16', template, period: '2026S1', levels, units, received: new Set(), within: '20' }).map((n) => [n.orgUnit, n.rule])).toEqual([['C', 'overdue'], ['20', 'reminder']]);
  });

  it('takes the day in Vietnam (UTC+7) and finds the periods whose deadlines are near', () => {
    expect(vietnamDateOf(new Date('2026-07-07T16:59:59Z'))).toBe('2026-07-07');
    expect(vietnamDateOf(new Date('2026-07-07T17:00:00Z'))).toBe('2026-07-08');
    expect(periodsDueAround(template, '2026-07-08', 2)).toEqual(['2026S1']);
    expect(periodsDueAround(template, addDays('2026-07-25', 31), 2)).toEqual([]);
    expect(periodsDueAround(template, '2027-01-10', 2)).toEqual(['2026S2']);
  });
});
