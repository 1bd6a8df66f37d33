import { describe, expect, it } from 'vitest';
import { checkMinMax, validateCatalog, type Catalog, type DataElement } from '../src/catalog/index';
import { validateSubmission, type SubmissionInput } from '../src/report/validate-submission';

/** Catalog min/max (issue 19, item 10): blocking or warning ranges, no negative counts, a restricted version code. */
function catalogWith(elements: DataElement[], version = '2026.1'): Catalog {
  return {
    version,
    legalBasis: 'Quyết định 1719/QĐ-TTg',
    effectiveFrom: '2021-01-01',
    categories: [],
    categoryCombos: [],
    dataElements: elements,
    indicators: [],
    templates: [{ code: 'T', name: 'Báo cáo', periodType: 'SIXMONTHLY', reportingLevel: 'commune', dataElements: elements.map((e) => e.code), deadlineDaysAfterPeriodEnd: 10 }],
    validationRules: [],
  };
}

const HH_TOTAL: DataElement = { code: 'HH_TOTAL', name: 'Tổng số hộ', valueType: 'INTEGER', aggregation: 'SUM', min: 0, max: 50_000, onOutOfRange: 'REJECT' };
const HH_POOR: DataElement = { code: 'HH_POOR', name: 'Số hộ nghèo', valueType: 'INTEGER', aggregation: 'SUM', min: 0, max: 50_000 };
const NET_MIGRATION: DataElement = { code: 'NET_MIGRATION', name: 'Di cư thuần', valueType: 'INTEGER', aggregation: 'SUM', allowNegative: true, min: -5_000, max: 5_000 };
const CATALOG = catalogWith([HH_TOTAL, HH_POOR, NET_MIGRATION]);

const problemsFor = (values: SubmissionInput['values']) =>
  validateSubmission(
    { template: 'T', orgUnit: '01840', period: '2026S1', values },
    { catalog: CATALOG, period: { type: 'SIXMONTHLY', endDate: '2026-06-30' }, unit: { code: '01840', level: 'commune' }, optionCombosOf: () => [] },
  );

describe('value ranges at submission', () => {
  it('refuses a negative count unless the element allows it', () => {
    expect(problemsFor([{ dataElement: 'HH_POOR', value: -5 }])).toEqual([{ code: 'INVALID_VALUE', message: 'HH_POOR counts: -5 is negative', path: 'values[0].value' }]);
    expect(problemsFor([{ dataElement: 'NET_MIGRATION', value: -120 }])).toEqual([]);
  });

  it('refuses a value outside a REJECT range, accepts it (to warn later) outside a WARN range', () => {
    expect(problemsFor([{ dataElement: 'HH_TOTAL', value: 50_001 }])[0]).toMatchObject({ code: 'INVALID_VALUE', message: 'HH_TOTAL = 50001 is above its maximum 50000' });
    expect(problemsFor([{ dataElement: 'HH_TOTAL', value: 50_000 }])).toEqual([]);
    expect(problemsFor([{ dataElement: 'HH_POOR', value: 60_000 }])).toEqual([]);
    const warned = checkMinMax(CATALOG, [{ dataElement: 'HH_POOR', value: 60_000 }, { dataElement: 'HH_TOTAL', value: 60_000 }]);
    expect(warned.map((v) => [v.rule, v.onViolation])).toEqual([
      ['HH_POOR', 'WARN'],
      ['HH_TOTAL', 'REJECT'],
    ]);
  });

  it('refuses whole numbers of 10^15 and beyond whatever the range (the probe sent 1e15)', () => {
    const loose = { ...HH_POOR, max: undefined };
    const catalog = catalogWith([loose]);
    const p = validateSubmission(
      { template: 'T', orgUnit: '01840', period: '2026S1', values: [{ dataElement: 'HH_POOR', value: 1e15 }] },
      { catalog, period: { type: 'SIXMONTHLY', endDate: '2026-06-30' }, unit: { code: '01840', level: 'commune' }, optionCombosOf: () => [] },
    );
    expect(p[0]).toMatchObject({ code: 'INVALID_VALUE', path: 'values[0].value' });
  });
});

describe('the catalog declares ranges consistently', () => {
  const problems = (c: unknown) => {
    const r = validateCatalog(c);
    return r.ok ? [] : r.problems.map((p) => `${p.path}: ${p.code}`);
  };

  it('accepts the declarations above', () => {
    expect(problems(CATALOG)).toEqual([]);
  });

  it('refuses an unknown onOutOfRange, one without bounds, a negative min on a count without allowNegative', () => {
    expect(problems(catalogWith([{ ...HH_TOTAL, onOutOfRange: 'BLOCK' as never }]))).toEqual(['dataElements[0].onOutOfRange: INVALID_FIELD']);
    expect(problems(catalogWith([{ code: 'X', name: 'x', valueType: 'INTEGER', aggregation: 'SUM', onOutOfRange: 'REJECT' }]))).toEqual(['dataElements[0].onOutOfRange: INVALID_FIELD']);
    expect(problems(catalogWith([{ ...NET_MIGRATION, allowNegative: undefined }]))).toEqual(['dataElements[0].min: INVALID_FIELD']);
    expect(problems(catalogWith([{ ...NET_MIGRATION, allowNegative: 'yes' as never }]))).toContain('dataElements[0].allowNegative: INVALID_FIELD');
  });

  it('takes a catalog version only as a code', () => {
    for (const ok of ['2026.1', 'v2', '2021-10-14_rev.3', 'x']) expect(problems(catalogWith([HH_POOR], ok)), ok).toEqual([]);
    for (const bad of ['', ' 2026', '../../etc', '<script>', '=1+1', '2026 1', 'a'.repeat(65), 'phiên-bản']) {
      expect(problems(catalogWith([HH_POOR], bad)), bad).toEqual(['version: INVALID_FIELD']);
    }
  });
});
