import { describe, expect, it } from 'vitest';
import { Remapping, batchRollup, foldDelta, mergeCellStates, remapSourcesOf, remapTotals, valuesOfTotals, type AggregationType } from '../src/index';

const agg = (a: AggregationType) => () => a;

describe('rollup cell math', () => {
  it('gives a unit fold delta that telescopes to the final folded value', () => {
    const d1 = foldDelta({}, 'r1', undefined, { end: '2024-01-31', values: { X: 10 } }, agg('LAST'));
    const d2 = foldDelta({ r1: { end: '2024-01-31', values: { X: 10 } } }, 'r2', undefined, { end: '2024-03-31', values: { X: 30 } }, agg('LAST'));
    const d3 = foldDelta({ r2: { end: '2024-03-31', values: { X: 30 } } }, 'r1', { end: '2024-01-31', values: { X: 10 } }, undefined, agg('LAST'));
    expect((d1.usums.X ?? 0) + (d2.usums.X ?? 0) + (d3.usums.X ?? 0)).toBe(30);
    expect((d1.units.X ?? 0) + (d2.units.X ?? 0) + (d3.units.X ?? 0)).toBe(1);
  });

  it('merges partition shares: sums add, extremes keep each contributor extreme', () => {
    const m = mergeCellStates([
      { sums: { X: 1 }, counts: { X: 1 }, mins: { Y: { '01': 5 } }, applied: 3 },
      { sums: { X: 2 }, counts: { X: 1 }, mins: { Y: { '01': 4, '02': 9 } }, applied: 7 },
    ]);
    expect(m).toMatchObject({ sums: { X: 3 }, counts: { X: 2 }, mins: { Y: { '01': 4, '02': 9 } }, applied: 7 });
  });

  it('batch reference: time first per unit, then units', () => {
    const out = batchRollup(
      [
        { reportId: 'a', path: ['VN', 'P', 'C1'], period: '202401', values: { X: 10 } },
        { reportId: 'b', path: ['VN', 'P', 'C1'], period: '202403', values: { X: 30 } },
        { reportId: 'c', path: ['VN', 'P', 'C2'], period: '202402', values: { X: 5 } },
      ],
      agg('AVERAGE'),
    );
    expect(out.get('P|2024Q1')).toEqual({ X: 12.5 });
  });

  it('re-aggregates with weights into the target: exact when a split unit lies wholly inside it', () => {
    const remapping = new Remapping([
      { oldCode: 'o1', newCode: 'n1', mergeType: 'partial', oldLevel: 'commune', note: '', oldName: '', newName: '' },
      { oldCode: 'o1', newCode: 'n2', mergeType: 'partial', oldLevel: 'commune', note: '', oldName: '', newName: '' },
      { oldCode: 'o2', newCode: 'n2', mergeType: 'full', oldLevel: 'commune', note: '', oldName: '', newName: '' },
    ]);
    expect(remapSourcesOf(remapping, ['n1'])).toEqual([{ oldCode: 'o1', weight: 0.5, estimated: true }]);
    expect(remapSourcesOf(remapping, ['n1', 'n2'])).toEqual([
      { oldCode: 'o1', weight: 1, estimated: false },
      { oldCode: 'o2', weight: 1, estimated: false },
    ]);
    const sources = [
      { weight: 0.5, values: { S: 100, A: 10, M: 7 } },
      { weight: 1, values: { S: 20, A: 40, M: 3 } },
    ];
    const aggregationOf = (k: string): AggregationType => ({ S: 'SUM', A: 'AVERAGE', M: 'MIN' })[k] as AggregationType;
    expect(valuesOfTotals(remapTotals(sources, aggregationOf), aggregationOf)).toEqual({ S: 70, A: 30, M: 3 });
  });
});
