import type { StoredEvent } from '@tally/contracts';
import { describe, expect, it } from 'vitest';
import { messagesFor } from '../src';

const event = (type: string, data: unknown, extra: Partial<StoredEvent> = {}): StoredEvent =>
  ({ id: 'e1', type, source: 't', subject: 's', time: '2026-07-08T02:00:00.000Z', schemaVersion: 1, data, actor: { id: 'x' }, correlationId: 'c', streamVersion: 1, position: 1, ...extra }) as StoredEvent;
const parents: Record<string, string> = { '01840': '19', '19': 'VN' };
const names: Record<string, string> = { '01840': 'Phường Đức Xuân', '19': 'Thái Nguyên' };
const ctx = { parentOf: (u: string) => parents[u] ?? null, nameOf: (u: string) => names[u] ?? null };

describe('who is told what', () => {
  it('tells the reporting unit each workflow step by its kind (with the reason), and another unit that acts next', () => {
    const returned = messagesFor(
      event('tally.report.returned', { reportId: 'r', template: 'M1719_S', orgUnit: '01840', period: '2026S1', hierarchy: '2025', level: 'province', reason: 'Sai số hộ', next: { action: 'amend', orgUnit: '01840' } }),
      ctx,
    );
    expect(returned.map((m) => [m.recipient, m.kind])).toEqual([['01840', 'report.returned']]);
    expect(returned[0]!.vi.body).toContain('Lý do: Sai số hộ');
    expect(returned[0]!.en.body).toContain('Reason: Sai số hộ');
    // the level in the reader's language: no English word in a Vietnamese message
    expect(returned[0]!.vi.title).toBe('M1719_S 2026S1 của Phường Đức Xuân (01840) bị trả lại (cấp tỉnh)');
    expect(returned[0]!.en.title).toBe('M1719_S 2026S1 from Phường Đức Xuân (01840) returned at the province level');
    const approved = messagesFor(
      event('tally.report.approved', { reportId: 'r', template: 'M1719_S', orgUnit: '01840', period: '2026S1', hierarchy: '2025', level: 'province', final: true, next: { action: 'lock', orgUnit: '19' } }),
      ctx,
    );
    expect(approved.map((m) => [m.recipient, m.kind])).toEqual([
      ['01840', 'report.approved'],
      ['19', 'report.lock-due'],
    ]);
  });

  it('tells a unit behind and, once overdue, its parent; in Vietnamese and English', () => {
    const notice = { rule: 'overdue', template: 'M1719_S', period: '2026S1', tier: 0, orgUnit: '01840', deadline: '2026-07-15', offset: 0, expected: 1, missing: 1, recipients: ['01840', '19'], day: '2026-07-16' };
    const overdue = messagesFor(event('tally.notification.deadline-due', notice), ctx);
    expect(overdue.map((m) => [m.recipient, m.kind])).toEqual([
      ['01840', 'deadline.overdue'],
      ['19', 'deadline.overdue'],
    ]);
    expect(overdue[0]!.vi.title).toBe('Quá hạn: M1719_S 2026S1 của Phường Đức Xuân (01840) (hạn 2026-07-15)');
    expect(overdue[0]!.en.title).toBe('Overdue: M1719_S 2026S1 from Phường Đức Xuân (01840) (due 2026-07-15)');
    const reminder = messagesFor(event('tally.notification.deadline-due', { ...notice, rule: 'reminder', offset: 1, tier: 1, orgUnit: '19', expected: 90, missing: 12, recipients: ['19'] }), ctx);
    expect(reminder[0]!.en).toEqual({ title: 'Reminder: M1719_S 2026S1 is due 2026-07-15 (in 1 day)', body: '12 of 90 units under Thái Nguyên (19) have not reported.' });
    // a unit whose name is not known is named by its code
    expect(messagesFor(event('tally.notification.deadline-due', { ...notice, orgUnit: '99999', recipients: ['99999'] }), ctx)[0]!.vi.title).toBe('Quá hạn: M1719_S 2026S1 của 99999 (hạn 2026-07-15)');
  });

  it('tells the units of a task, the parent when a figure is complete, and a unit when a target is missed or met', () => {
    const task = messagesFor(
      event('tally.task.assigned', { taskId: 't', title: 'Rà soát', body: null, orgUnits: ['01840', '01841'], dueDate: '2026-08-01', template: null, period: null, hierarchy: '2025', assignedBy: '19' }),
      ctx,
    );
    expect(task.map((m) => [m.recipient, m.kind, m.taskId])).toEqual([
      ['01840', 'task.assigned', 't'],
      ['01841', 'task.assigned', 't'],
    ]);
    expect(messagesFor(event('tally.notification.figure-complete', { orgUnit: '19', template: 'M1719_S', period: '2026S1', expected: 92 }), ctx).map((m) => [m.recipient, m.kind])).toEqual([['19', 'figure.complete']]);
    const outcome = { indicator: 'POVERTY_RATE', indicatorName: 'Tỷ lệ hộ nghèo', orgUnit: '01840', period: '2026', operator: '<=', target: 10, change: null, figures: 'latest', measured: 12, value: 12, previousValue: null };
    expect(messagesFor(event('tally.indicators.target-missed', { ...outcome, previousOutcome: null }), ctx).map((m) => [m.recipient, m.kind])).toEqual([
      ['01840', 'target.missed'],
      ['19', 'target.missed'],
    ]);
    expect(messagesFor(event('tally.indicators.target-met', { ...outcome, previousOutcome: null }), ctx).map((m) => m.kind)).toEqual(['target.met', 'target.met']);
    expect(messagesFor(event('tally.indicators.target-met', { ...outcome, previousOutcome: 'MET' }), ctx)).toEqual([]);
  });
});
