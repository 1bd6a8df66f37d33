import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addContribution,
  aggregate,
  emptyAccumulator,
  finalValue,
  mergeAccumulators,
  retractContribution,
  type Accumulator,
  type AggregationAxis,
  type AggregationType,
} from '../src/catalog/index';

const TYPES: AggregationType[] = ['SUM', 'AVERAGE', 'AVERAGE_SUM_ORG_UNIT', 'LAST', 'MIN', 'MAX', 'NONE'];

// three communes of a province, one quarter
const units = { C01: 10, C02: 30, C03: 20 };
// one commune, the four quarters of a year (keys sort chronologically)
const quarters = { '2025Q1': 10, '2025Q2': 30, '2025Q3': 20, '2025Q4': 40 };

const fold = (values: Record<string, number>): Accumulator =>
  Object.entries(values).reduce((acc, [k, v]) => addContribution(acc, k, v), emptyAccumulator());

describe('aggregation types on each axis', () => {
  it.each<[AggregationType, number | null, number | null]>([
    //                      ORG_UNIT  PERIOD
    ['SUM', 60, 100],
    ['AVERAGE', 20, 25],
    ['AVERAGE_SUM_ORG_UNIT', 60, 25],
    ['LAST', 60, 40],
    ['MIN', 10, 10],
    ['MAX', 30, 40],
    ['NONE', null, null],
  ])('%s: org units -> %s, periods -> %s', (type, orgUnit, period) => {
    expect(finalValue(type, fold(units), 'ORG_UNIT')).toBe(orgUnit);
    expect(finalValue(type, fold(quarters), 'PERIOD')).toBe(period);
    expect(aggregate(type, units, 'ORG_UNIT')).toBe(orgUnit);
  });

  it('has no value when nothing was contributed', () => {
    for (const t of TYPES) for (const axis of ['ORG_UNIT', 'PERIOD'] as const) expect(finalValue(t, emptyAccumulator(), axis)).toBeNull();
  });

  it('LAST over time uses the period key, not the order of arrival', () => {
    let acc = emptyAccumulator();
    acc = addContribution(acc, 'report-b', 7, '2025-12-31');
    acc = addContribution(acc, 'report-a', 9, '2025-03-31');
    expect(finalValue('LAST', acc, 'PERIOD')).toBe(7);
  });

  it('a missing period is absent, not zero: the time average is over reported periods', () => {
    expect(finalValue('AVERAGE_SUM_ORG_UNIT', fold({ '2025Q1': 10, '2025Q3': 20 }), 'PERIOD')).toBe(15);
  });
});

describe('retraction', () => {
  it.each(TYPES)('%s: retracting the extreme or latest contribution recomputes correctly', (type) => {
    for (const [values, axis] of [[units, 'ORG_UNIT'], [quarters, 'PERIOD']] as const) {
      const full = fold(values);
      for (const key of Object.keys(values)) {
        const rest = Object.fromEntries(Object.entries(values).filter(([k]) => k !== key));
        expect(finalValue(type, retractContribution(full, key), axis)).toBe(finalValue(type, fold(rest), axis));
      }
    }
  });

  it('MAX falls back to the next largest, LAST to the previous period', () => {
    expect(finalValue('MAX', retractContribution(fold(units), 'C02'), 'ORG_UNIT')).toBe(20);
    expect(finalValue('LAST', retractContribution(fold(quarters), '2025Q4'), 'PERIOD')).toBe(20);
    expect(finalValue('MIN', retractContribution(fold(units), 'C01'), 'ORG_UNIT')).toBe(20);
  });

  it('re-adding a key replaces the contribution (a corrected report), so re-delivery is idempotent', () => {
    const once = addContribution(fold(units), 'C02', 5);
    expect(finalValue('SUM', once, 'ORG_UNIT')).toBe(35);
    expect(addContribution(once, 'C02', 5)).toEqual(once);
  });

  it('retracting an absent key changes nothing; accumulators are immutable', () => {
    const acc = fold(units);
    expect(retractContribution(acc, 'ZZZ')).toBe(acc);
    retractContribution(acc, 'C01');
    expect(finalValue('SUM', acc, 'ORG_UNIT')).toBe(60);
  });

  it('merges partial accumulators', () => {
    const merged = mergeAccumulators(fold({ C01: 10 }), fold({ C02: 30, C03: 20 }));
    expect(finalValue('SUM', merged, 'ORG_UNIT')).toBe(60);
  });

  it('rejects non-finite values', () => {
    expect(() => addContribution(emptyAccumulator(), 'X', Number.NaN)).toThrow(/finite/);
  });

  it('property: any sequence of adds and retracts equals aggregating what remains', () => {
    const op = fc.record({
      retract: fc.boolean(),
      key: fc.constantFrom('A', 'B', 'C', 'D', 'E', '__proto__', 'constructor'),
      value: fc.double({ min: -1e6, max: 1e6, noNaN: true }),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), fc.constantFrom(...TYPES), fc.constantFrom<AggregationAxis>('ORG_UNIT', 'PERIOD'), (ops, type, axis) => {
        let acc = emptyAccumulator();
        const model = new Map<string, number>();
        for (const o of ops) {
          if (o.retract) {
            acc = retractContribution(acc, o.key);
            model.delete(o.key);
          } else {
            acc = addContribution(acc, o.key, o.value);
            model.set(o.key, o.value);
          }
        }
        // the same contributions inserted fresh, in another order
        let fresh = emptyAccumulator();
        for (const [k, v] of [...model].reverse()) fresh = addContribution(fresh, k, v);
        expect(finalValue(type, acc, axis)).toBe(finalValue(type, fresh, axis));
        if (model.size === 0) expect(finalValue(type, acc, axis)).toBeNull();
      }),
      { numRuns: 500 },
    );
  });
});

describe('both axes: time first per unit, then org units', () => {
  it('LAST: each commune\'s latest quarter, summed over communes', () => {
    const communeA = fold({ '2025Q1': 5, '2025Q4': 7 });
    const communeB = fold({ '2025Q2': 3 }); // did not report later quarters
    const province = fold({ A: finalValue('LAST', communeA, 'PERIOD') as number, B: finalValue('LAST', communeB, 'PERIOD') as number });
    expect(finalValue('LAST', province, 'ORG_UNIT')).toBe(10);
  });
});
