import { describe, expect, it } from 'vitest';
import { computeComposite, rankUnits, validateCatalog, type Catalog, type CompositeIndex } from '../src/catalog/index';
import type { Lookup } from '../src/formula/index';

// Provincial DTI 2022: 9 main indices, maximum points summing to 1000 (DOMAIN.md)
const DTI_2022_MAX: Record<string, number> = {
  AWARENESS: 100,
  INSTITUTIONS: 100,
  INFRASTRUCTURE: 100,
  WORKFORCE: 100,
  CYBERSECURITY: 100,
  SMART_CITY: 0,
  DIGITAL_GOVERNMENT: 200,
  DIGITAL_ECONOMY: 150,
  DIGITAL_SOCIETY: 150,
};
const DTI: CompositeIndex = {
  code: 'DTI_2022',
  name: 'Provincial Digital Transformation Index 2022',
  components: Object.entries(DTI_2022_MAX).map(([code, maxPoints]) => ({ code, maxPoints, expression: `#{DTI_${code}}` })),
};
const earnedLookup = (earned: Record<string, number>): Lookup => (e) => earned[e.replace(/^DTI_/, '')];

describe('computeComposite (DTI)', () => {
  it('the maximum points sum to 1000', () => {
    expect(DTI.components.reduce((s, c) => s + c.maxPoints, 0)).toBe(1000);
  });

  it('DTI = sum(maxPoints x earned/max) / 1000 = total points earned / 1000', () => {
    const earned = { AWARENESS: 90, INSTITUTIONS: 85, INFRASTRUCTURE: 80, WORKFORCE: 70, CYBERSECURITY: 75, SMART_CITY: 0, DIGITAL_GOVERNMENT: 170, DIGITAL_ECONOMY: 110, DIGITAL_SOCIETY: 120.2 };
    const score = computeComposite(DTI, earnedLookup(earned));
    expect(score.value).toBeCloseTo(800.2 / 1000, 12);
    expect(score.components.find((c) => c.code === 'DIGITAL_GOVERNMENT')).toEqual({ code: 'DIGITAL_GOVERNMENT', maxPoints: 200, earned: 170, value: 0.85, clamped: false });
    // smart city weighs nothing in 2022
    expect(score.components.find((c) => c.code === 'SMART_CITY')).toMatchObject({ value: null });
  });

  it('a perfect and an empty score give 1 and 0', () => {
    expect(computeComposite(DTI, earnedLookup(DTI_2022_MAX)).value).toBe(1);
    expect(computeComposite(DTI, earnedLookup(Object.fromEntries(Object.keys(DTI_2022_MAX).map((k) => [k, 0])))).value).toBe(0);
  });

  it('clamps earned points outside [0, max] and says so', () => {
    const over = computeComposite(DTI, earnedLookup({ ...DTI_2022_MAX, AWARENESS: 130 }));
    expect(over.value).toBe(1);
    expect(over.components[0]).toMatchObject({ value: 1, clamped: true });
  });

  it('a missing component makes the index null, or scores 0 with missing: ZERO', () => {
    const { AWARENESS: _drop, ...rest } = DTI_2022_MAX;
    expect(computeComposite(DTI, earnedLookup(rest)).value).toBeNull();
    expect(computeComposite(DTI, earnedLookup(rest), { missing: 'ZERO' }).value).toBe(0.9);
  });

  it('components can use catalog indicators', () => {
    const index: CompositeIndex = { code: 'I', name: 'i', components: [{ code: 'ROAD', maxPoints: 50, indicator: 'ROAD_PCT' }, { code: 'WATER', maxPoints: 50, expression: '#{WATER_PTS}' }] };
    const indicators = [{ code: 'ROAD_PCT', name: 'road', numerator: '#{ROAD}', denominator: '#{COMMUNES}', factor: 50 }];
    const values: Record<string, number> = { ROAD: 9, COMMUNES: 10, WATER_PTS: 25 };
    expect(computeComposite(index, (e) => values[e], { indicators }).value).toBeCloseTo((45 + 25) / 100, 12);
  });

  it('validateCatalog accepts the DTI as a catalog composite index', () => {
    const catalog: Catalog = {
      version: '2022',
      legalBasis: 'Decision 922/QĐ-BTTTT',
      dataElements: Object.keys(DTI_2022_MAX).map((k) => ({ code: `DTI_${k}`, name: k, valueType: 'NUMBER', aggregation: 'NONE' })),
      indicators: [],
      templates: [],
      compositeIndices: [DTI],
    };
    // aggregation NONE is refused in a composite: the index is computed per province from points, which are not aggregated
    const r = validateCatalog(catalog);
    expect(r.ok).toBe(false);
    const ok = validateCatalog({ ...catalog, dataElements: catalog.dataElements.map((e) => ({ ...e, aggregation: 'LAST' })) });
    expect(ok.ok).toBe(true);
  });
});

describe('rankUnits', () => {
  it('ranks descending with competition ranking for ties (1, 2, 2, 4)', () => {
    const ranked = rankUnits([
      { unit: 'THAI_NGUYEN', score: 0.7 },
      { unit: 'DA_NANG', score: 0.8002 },
      { unit: 'HA_NOI', score: 0.7 },
      { unit: 'CAO_BANG', score: 0.5 },
    ]);
    expect(ranked).toEqual([
      { unit: 'DA_NANG', score: 0.8002, rank: 1 },
      { unit: 'HA_NOI', score: 0.7, rank: 2 },
      { unit: 'THAI_NGUYEN', score: 0.7, rank: 2 },
      { unit: 'CAO_BANG', score: 0.5, rank: 4 },
    ]);
  });

  it('can compare rounded scores, and puts unscored units last', () => {
    const ranked = rankUnits(
      [
        { unit: 'A', score: 0.80021 },
        { unit: 'B', score: 0.80019 },
        { unit: 'C', score: null },
        { unit: 'D', score: 0.9 },
      ],
      { decimals: 4 },
    );
    expect(ranked.map((r) => [r.unit, r.rank])).toEqual([
      ['D', 1],
      ['A', 2],
      ['B', 2],
      ['C', null],
    ]);
  });

  it('handles all-equal and empty inputs', () => {
    expect(rankUnits([{ unit: 'X', score: 1 }, { unit: 'Y', score: 1 }, { unit: 'Z', score: 1 }]).map((r) => r.rank)).toEqual([1, 1, 1]);
    expect(rankUnits([])).toEqual([]);
  });
});
