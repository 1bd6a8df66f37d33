import { describe, expect, it } from 'vitest';
import { stored } from '@tally/testkit/spec';
import { messagesFor } from '../src/messages';

const ID = 'report-M1719_S-00004-2026S1';
const parentOf = (code: string) => ({ '00004': '01', '01': 'VN' })[code] ?? null;
const workflow = { reportId: ID, template: 'M1719_S', orgUnit: '00004', period: '2026S1', hierarchy: '2025' };

describe('notification: which events tell whom what', () => {
  it('given a submission, then the parent unit is told a report is ready for review', () => {
    const e = stored({ type: 'tally.report.submitted', data: { ...workflow, submissionId: 's1', figures: 'official', catalogVersion: '1', values: [], submittedAt: '', contentHash: 'h' } }, { subject: ID, streamVersion: 1, position: 1 });
    expect(messagesFor(e, parentOf)).toEqual([{ recipient: '01', kind: 'report.submitted', title: 'M1719_S 2026S1 from 00004 submitted', body: 'Version 1 is ready for review.', reportId: ID }]);
  });

  it('given an approval that leaves a lock due, then the next actor and the submitting unit are told', () => {
    const e = stored({ type: 'tally.report.approved', data: { ...workflow, level: 'province', final: true, next: { action: 'lock', level: 'province', orgUnit: '01' } } }, { subject: ID, streamVersion: 2, position: 2 });
    const messages = messagesFor(e, parentOf);
    expect(messages.map((m) => [m.recipient, m.kind])).toEqual([
      ['01', 'report.lock-due'],
      ['00004', 'report.approved'],
    ]);
  });

  it('given an event nobody needs to hear about, then no message (the same event again gives the same answer)', () => {
    const e = stored({ type: 'tally.target.set', data: {} }, { subject: 'target-X-01-2026', streamVersion: 1, position: 3 });
    expect(messagesFor(e, parentOf)).toEqual([]);
    expect(messagesFor(e, parentOf)).toEqual(messagesFor(e, parentOf));
  });
});
