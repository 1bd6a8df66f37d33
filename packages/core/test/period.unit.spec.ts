import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  addDays,
  coarserPeriods,
  comparePeriods,
  daysBetween,
  deadlineFor,
  finerPeriods,
  isoDateOf,
  parsePeriod,
  periodContaining,
  periodContains,
  periodsOfType,
  shiftPeriod,
} from '../src/period/index';
import type { PeriodType } from '../src/catalog/types';
import { DomainError } from '../src/errors';

const TYPES: PeriodType[] = ['MONTHLY', 'QUARTERLY', 'SIXMONTHLY', 'YEARLY'];

/** Arbitrary valid period codes of every type. */
const validCode = fc.oneof(
  fc.integer({ min: 2000, max: 2100 }).map((y) => String(y)),
  fc.tuple(fc.integer({ min: 2000, max: 2100 }), fc.integer({ min: 1, max: 2 })).map(([y, h]) => `${y}S${h}`),
  fc.tuple(fc.integer({ min: 2000, max: 2100 }), fc.integer({ min: 1, max: 4 })).map(([y, q]) => `${y}Q${q}`),
  fc.tuple(fc.integer({ min: 2000, max: 2100 }), fc.integer({ min: 1, max: 12 })).map(([y, m]) => `${y}${String(m).padStart(2, '0')}`),
);

describe('parsePeriod', () => {
  it('parses the four DHIS2 forms', () => {
    expect(parsePeriod('2026')).toEqual({ code: '2026', type: 'YEARLY', year: 2026, startDate: '2026-01-01', endDate: '2026-12-31' });
    expect(parsePeriod('2026S1')).toEqual({ code: '2026S1', type: 'SIXMONTHLY', year: 2026, startDate: '2026-01-01', endDate: '2026-06-30' });
    expect(parsePeriod('2026S2')).toMatchObject({ startDate: '2026-07-01', endDate: '2026-12-31' });
    expect(parsePeriod('2026Q1')).toEqual({ code: '2026Q1', type: 'QUARTERLY', year: 2026, startDate: '2026-01-01', endDate: '2026-03-31' });
    expect(parsePeriod('2026Q4')).toMatchObject({ startDate: '2026-10-01', endDate: '2026-12-31' });
    expect(parsePeriod('202602')).toEqual({ code: '202602', type: 'MONTHLY', year: 2026, startDate: '2026-02-01', endDate: '2026-02-28' });
    expect(parsePeriod('202402')?.endDate).toBe('2024-02-29');
    expect(parsePeriod('210002')?.endDate).toBe('2100-02-28'); // 2100 is not a leap year
    expect(parsePeriod('200002')?.endDate).toBe('2000-02-29');
    expect(parsePeriod('202612')?.endDate).toBe('2026-12-31');
  });

  it('is strict', () => {
    for (const bad of ['2026Q5', '2026Q0', '202613', '202600', '2026S3', '2026S0', '1999', '2101', '210101', '2026 ', ' 2026', '2026Q1x', '2026-01', '26', '20261', '2026q1', '2026s1', '', '2026W1', '02026', '2026Q01', '2026\n']) {
      expect(parsePeriod(bad), bad).toBeNull();
    }
    expect(parsePeriod(undefined as unknown as string)).toBeNull();
  });

  it('property: every valid code parses, round-trips, and its range is well formed', () => {
    fc.assert(
      fc.property(validCode, (code) => {
        const p = parsePeriod(code);
        expect(p).not.toBeNull();
        expect(p!.code).toBe(code);
        expect(p!.startDate <= p!.endDate).toBe(true);
        expect(addDays(p!.endDate, 1).slice(8)).toBe('01'); // ends on the last day of a month
        expect(p!.startDate.slice(8)).toBe('01');
      }),
    );
  });

  it('property: coarser periods contain the period by date range, finest first', () => {
    fc.assert(
      fc.property(validCode, (code) => {
        const p = parsePeriod(code)!;
        const coarser = coarserPeriods(code);
        expect(coarser.length).toBe(3 - TYPES.indexOf(p.type));
        let prevRank = TYPES.indexOf(p.type);
        for (const c of coarser) {
          const q = parsePeriod(c)!;
          expect(q.startDate <= p.startDate && p.endDate <= q.endDate).toBe(true);
          expect(TYPES.indexOf(q.type)).toBe(prevRank + 1);
          prevRank++;
          expect(finerPeriods(c, p.type)).toContain(code);
        }
      }),
    );
  });

  it('property: finer periods tile the period exactly', () => {
    fc.assert(
      fc.property(validCode, fc.constantFrom(...TYPES), (code, type) => {
        const p = parsePeriod(code)!;
        const finer = finerPeriods(code, type).map((c) => parsePeriod(c)!);
        if (TYPES.indexOf(type) > TYPES.indexOf(p.type)) {
          expect(finer).toEqual([]);
          return;
        }
        expect(finer[0]!.startDate).toBe(p.startDate);
        expect(finer[finer.length - 1]!.endDate).toBe(p.endDate);
        for (let i = 1; i < finer.length; i++) expect(addDays(finer[i - 1]!.endDate, 1)).toBe(finer[i]!.startDate);
      }),
    );
  });
});

describe('period navigation', () => {
  it('coarserPeriods', () => {
    expect(coarserPeriods('202605')).toEqual(['2026Q2', '2026S1', '2026']);
    expect(coarserPeriods('202607')).toEqual(['2026Q3', '2026S2', '2026']);
    expect(coarserPeriods('2026Q3')).toEqual(['2026S2', '2026']);
    expect(coarserPeriods('2026S1')).toEqual(['2026']);
    expect(coarserPeriods('2026')).toEqual([]);
    expect(coarserPeriods('nope')).toEqual([]);
  });

  it('finerPeriods and periodsOfType', () => {
    expect(finerPeriods('2026S2', 'QUARTERLY')).toEqual(['2026Q3', '2026Q4']);
    expect(finerPeriods('2026Q2', 'MONTHLY')).toEqual(['202604', '202605', '202606']);
    expect(finerPeriods('2026', 'SIXMONTHLY')).toEqual(['2026S1', '2026S2']);
    expect(finerPeriods('2026Q2', 'QUARTERLY')).toEqual(['2026Q2']);
    expect(finerPeriods('2026Q2', 'YEARLY')).toEqual([]);
    expect(periodsOfType(2026, 'MONTHLY').map((p) => p.code)).toHaveLength(12);
    expect(periodsOfType(2026, 'QUARTERLY').map((p) => p.code)).toEqual(['2026Q1', '2026Q2', '2026Q3', '2026Q4']);
    expect(periodsOfType(2026, 'YEARLY').map((p) => p.code)).toEqual(['2026']);
    expect(() => periodsOfType(1999, 'YEARLY')).toThrow(DomainError);
  });

  it('periodContaining, periodContains, comparePeriods, shiftPeriod', () => {
    expect(periodContaining('2025-07-01', 'SIXMONTHLY')?.code).toBe('2025S2');
    expect(periodContaining('2025-06-30', 'QUARTERLY')?.code).toBe('2025Q2');
    expect(periodContaining('2025-02-30', 'MONTHLY')).toBeNull();
    expect(periodContains('2026', '202611')).toBe(true);
    expect(periodContains('2026Q1', '202604')).toBe(false);
    expect(periodContains('2026Q1', '2026Q1')).toBe(true);
    expect(['2026', '202601', '2025Q4', '2026Q1'].sort(comparePeriods)).toEqual(['2025Q4', '202601', '2026Q1', '2026']);
    expect(shiftPeriod('2026Q4', 1)).toBe('2027Q1');
    expect(shiftPeriod('202601', -1)).toBe('202512');
    expect(shiftPeriod('2026S1', 3)).toBe('2027S2');
    expect(shiftPeriod('2100', 1)).toBeNull();
  });
});

describe('dates and deadlines', () => {
  it('addDays and daysBetween', () => {
    expect(addDays('2026-03-31', 10)).toBe('2026-04-10');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
    expect(addDays('2026-12-31', 0)).toBe('2026-12-31');
    expect(() => addDays('2026-02-30', 1)).toThrow(DomainError);
    expect(() => addDays('2026-1-1', 1)).toThrow(DomainError);
    expect(() => addDays('2026-01-01', 1.5)).toThrow(DomainError);
    expect(daysBetween('2026-01-01', '2026-12-31')).toBe(364);
    fc.assert(
      fc.property(validCode, fc.integer({ min: -4000, max: 4000 }), (code, n) => {
        const start = parsePeriod(code)!.startDate;
        expect(daysBetween(start, addDays(start, n))).toBe(n);
        expect(addDays(addDays(start, n), -n)).toBe(start);
      }),
    );
  });

  it('deadlineFor: tier k = end + days + k*step', () => {
    expect(deadlineFor('2026Q1', 10, 0)).toBe('2026-04-10');
    expect(deadlineFor('2026Q1', 10, 1)).toBe('2026-04-15');
    expect(deadlineFor('2026Q1', 10, 2)).toBe('2026-04-20');
    expect(deadlineFor('2026Q1', 10, 2, 7)).toBe('2026-04-24');
    expect(deadlineFor('2025', 25, 0)).toBe('2026-01-25');
    expect(deadlineFor('202612', 0, 0)).toBe('2026-12-31');
    expect(() => deadlineFor('2026Q5', 10, 0)).toThrow(DomainError);
    expect(() => deadlineFor('2026Q1', 10, -1)).toThrow(DomainError);
    fc.assert(
      fc.property(validCode, fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 1, max: 10 }), (code, days, tier, step) => {
        expect(deadlineFor(code, days, tier + 1, step) > deadlineFor(code, days, tier, step)).toBe(true);
        expect(deadlineFor(code, days, tier, step) > parsePeriod(code)!.endDate || days + tier === 0).toBe(true);
      }),
    );
  });

  it('isoDateOf', () => {
    expect(isoDateOf('2026-04-10T18:30:00Z')).toBe('2026-04-10');
    expect(isoDateOf('2026-04-10T18:30:00Z', 420)).toBe('2026-04-11');
    expect(isoDateOf('2026-04-10T01:00:00+07:00')).toBe('2026-04-09');
    expect(isoDateOf('2026-04-10T18:30:00')).toBe('2026-04-10');
    expect(isoDateOf('2026-04-10')).toBe('2026-04-10');
    expect(() => isoDateOf('yesterday')).toThrow(DomainError);
    expect(() => isoDateOf('2026-04-10Tnope')).toThrow(DomainError);
  });
});
