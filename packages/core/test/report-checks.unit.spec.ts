import { describe, expect, it } from 'vitest';
import {
  checkMinMax,
  checkOutliers,
  checkRules,
  currentSchemaVersion,
  evaluateTarget,
  INDICATOR_OUTCOME_EVENT_SCHEMA,
  readEvent,
  VALIDATION_EVENT_SCHEMA,
  previousYearPeriod,
  reportTotals,
  targetPeriodsAffectedBy,
  validateCatalog,
  violationTextVi,
  type Catalog,
} from '../src';

const catalog: Catalog = {
  version: '1',
  legalBasis: 'test',
  categories: [{ code: 'SEX', name: 'Sex', options: [{ code: 'MALE', name: 'M' }, { code: 'FEMALE', name: 'F' }] }],
  categoryCombos: [{ code: 'BY_SEX', name: 'by sex', categories: ['SEX'] }],
  dataElements: [
    { code: 'TOTAL', name: 'Total', valueType: 'INTEGER', aggregation: 'SUM', min: 0, max: 100, outlierCheck: true },
    { code: 'POOR', name: 'Poor', valueType: 'INTEGER', aggregation: 'SUM', categoryCombo: 'BY_SEX', min: 0 },
    { code: 'NOTE', name: 'Note', valueType: 'TEXT', aggregation: 'NONE' },
  ],
  indicators: [],
  templates: [{ code: 'T', name: 'T', periodType: 'YEARLY', reportingLevel: 'commune', dataElements: ['TOTAL', 'POOR', 'NOTE'], deadlineDaysAfterPeriodEnd: 0 }],
  validationRules: [
    { code: 'POOR_LE_TOTAL', name: 'poor <= total', left: '#{POOR}', operator: '<=', right: '#{TOTAL}', importance: 'HIGH', onViolation: 'REJECT' },
    { code: 'GIRLS', name: 'girls <= 10', left: '#{POOR.FEMALE}', operator: '<=', right: '10', importance: 'LOW', onViolation: 'WARN', periodType: 'QUARTERLY' },
  ],
};

describe('report checks', () => {
  const values = [
    { dataElement: 'TOTAL', value: 50 },
    { dataElement: 'POOR', optionCombo: 'MALE', value: 40 },
    { dataElement: 'POOR', optionCombo: 'FEMALE', value: 20 },
    { dataElement: 'NOTE', value: 'x' },
  ];

  it('totals a disaggregated element from its option combos unless the total is given', () => {
    expect(reportTotals(values)).toEqual({ TOTAL: 50, 'POOR.MALE': 40, 'POOR.FEMALE': 20, POOR: 60 });
    expect(reportTotals([...values, { dataElement: 'POOR', value: 61 }]).POOR).toBe(61);
  });

  it('checks rules by onViolation and period type', () => {
    expect(checkRules(catalog, values, { onViolation: 'REJECT' }).map((v) => v.rule)).toEqual(['POOR_LE_TOTAL']);
    expect(checkRules(catalog, values, { onViolation: 'WARN', periodType: 'YEARLY' })).toEqual([]);
    expect(checkRules(catalog, values, { periodType: 'QUARTERLY' }).map((v) => [v.rule, v.left, v.right])).toEqual([
      ['POOR_LE_TOTAL', 60, 50],
      ['GIRLS', 20, 10],
    ]);
  });

  it('checks min and max per value, bounds inclusive', () => {
    const out = checkMinMax(catalog, [{ dataElement: 'TOTAL', value: 101 }, { dataElement: 'POOR', optionCombo: 'MALE', value: -1 }, { dataElement: 'TOTAL', value: 100 }]);
    expect(out.map((v) => [v.kind, v.rule, v.operator, v.right])).toEqual([
      ['MIN_MAX', 'TOTAL', '<=', 100],
      ['MIN_MAX', 'POOR.MALE', '>=', 0],
    ]);
  });

  it('flags outliers only for elements with outlierCheck', () => {
    const history = (element: string) => (element === 'TOTAL' || element === 'POOR' ? [50, 52, 49, 51] : []);
    expect(checkOutliers(catalog, { TOTAL: 51, POOR: 5000 }, history)).toEqual([]);
    const [o] = checkOutliers(catalog, { TOTAL: 500 }, history);
    expect(o).toMatchObject({ kind: 'OUTLIER', rule: 'TOTAL', left: 500, operator: '<=', onViolation: 'WARN' });
    expect(checkOutliers(catalog, { TOTAL: 500 }, () => [50])).toEqual([]); // insufficient history
  });

  it('says each violation in Vietnamese from its fields (the recorded message stays English)', () => {
    const [above, below] = checkMinMax(catalog, [{ dataElement: 'TOTAL', value: 101 }, { dataElement: 'POOR', optionCombo: 'MALE', value: -1 }]);
    expect(violationTextVi(above!)).toBe('Total (TOTAL) = 101 vượt mức tối đa 100');
    expect(violationTextVi(below!)).toBe('Poor (POOR.MALE) = -1 thấp hơn mức tối thiểu 0');
    const [outlier] = checkOutliers(catalog, { TOTAL: 500 }, () => [50, 52, 49, 51]);
    expect(violationTextVi(outlier!)).toMatch(/^Total \(TOTAL\) = 500 khác xa các kỳ trước của đơn vị \(ngưỡng [\d.]+\)$/);
    const [rule] = checkRules(catalog, values, { onViolation: 'REJECT' });
    expect(violationTextVi(rule!)).toBe('poor <= total (POOR_LE_TOTAL): 60 <= 50');
  });

  it('names the element by itself in each min/max and outlier violation, not in a rule\'s', () => {
    const [above] = checkMinMax(catalog, [{ dataElement: 'TOTAL', value: 101 }]);
    expect(above).toMatchObject({ name: 'Total: maximum', elementName: 'Total' });
    const [outlier] = checkOutliers(catalog, { TOTAL: 500 }, () => [50, 52, 49, 51]);
    expect(outlier!.elementName).toBe('Total');
    const [rule] = checkRules(catalog, values, { onViolation: 'REJECT' });
    expect(rule!.elementName).toBeNull();
  });

  it('reads a validated event of schema version 1 as version 2: kind RULE where absent, the element\'s name taken from `name`', () => {
    expect(currentSchemaVersion(VALIDATION_EVENT_SCHEMA, 'tally.indicators.validated')).toBe(2);
    const data = {
      reportId: 'report-T-01840-2025',
      reportVersion: 1,
      hierarchy: '2025',
      template: 'T',
      orgUnit: '01840',
      period: '2025',
      catalogVersion: '1',
      violations: [
        { rule: 'POOR_LE_TOTAL', name: 'poor <= total', importance: 'HIGH', onViolation: 'WARN', left: 60, operator: '<=', right: 50, message: 'x' },
        { kind: 'MIN_MAX', rule: 'TOTAL', name: 'Total: maximum', importance: 'MEDIUM', onViolation: 'WARN', left: 101, operator: '<=', right: 100, message: 'y' },
        { kind: 'OUTLIER', rule: 'TOTAL', name: "Tổng số hộ: outlier against the unit's history", importance: 'LOW', onViolation: 'WARN', left: 500, operator: '<=', right: 60, message: 'z' },
      ],
    };
    for (const schema of [VALIDATION_EVENT_SCHEMA, INDICATOR_OUTCOME_EVENT_SCHEMA]) {
      const read = readEvent(schema, { type: 'tally.indicators.validated', schemaVersion: 1, data });
      if (read?.type !== 'tally.indicators.validated') throw new Error('not read as a validated event');
      expect(read.data.violations.map((v) => [v.kind, v.elementName])).toEqual([
        ['RULE', null],
        ['MIN_MAX', 'Total'],
        ['OUTLIER', 'Tổng số hộ'],
      ]);
      expect(read.data.violations.map(violationTextVi)).toEqual([
        'poor <= total (POOR_LE_TOTAL): 60 <= 50',
        'Total (TOTAL) = 101 vượt mức tối đa 100',
        'Tổng số hộ (TOTAL) = 500 khác xa các kỳ trước của đơn vị (ngưỡng 60)',
      ]);
    }
    // version 2 as written: read as it is
    const v2 = { ...data, violations: [{ ...data.violations[1]!, elementName: 'Tổng', name: 'Tổng: maximum' }] };
    expect(readEvent(VALIDATION_EVENT_SCHEMA, { type: 'tally.indicators.validated', schemaVersion: 2, data: v2 })?.data).toEqual(v2);
  });

  it('validates min, max and outlierCheck in the catalog', () => {
    expect(validateCatalog(catalog).ok).toBe(true);
    const bad = structuredClone(catalog) as unknown as { dataElements: Array<Record<string, unknown>> };
    bad.dataElements[0]!.min = 10;
    bad.dataElements[0]!.max = 5;
    bad.dataElements[1]!.outlierCheck = 'yes';
    bad.dataElements[2]!.max = 3;
    const r = validateCatalog(bad);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problems.map((p) => [p.code, p.path])).toEqual(
        expect.arrayContaining([
          ['INVALID_FIELD', 'dataElements[0].min'],
          ['INVALID_FIELD', 'dataElements[1].outlierCheck'],
          ['TYPE_MISMATCH', 'dataElements[2]'],
        ]),
      );
    }
  });
});

describe('targets', () => {
  it('compares a level or a change from the previous year', () => {
    expect(evaluateTarget({ operator: '>=', value: 100 }, 100)).toEqual({ status: 'MET', measured: 100 });
    expect(evaluateTarget({ operator: '>=', value: 100 }, 99.9)).toEqual({ status: 'MISSED', measured: 99.9 });
    expect(evaluateTarget({ operator: '>=', value: 100 }, null).status).toBe('NO_DATA');
    const falls3 = { operator: '<=' as const, value: -3, change: 'PREVIOUS_YEAR' as const };
    expect(evaluateTarget(falls3, 21, 24)).toEqual({ status: 'MET', measured: -3 });
    expect(evaluateTarget(falls3, 22, 24).status).toBe('MISSED');
    expect(evaluateTarget(falls3, 22, null).status).toBe('NO_DATA');
  });

  it('knows which periods a report can change', () => {
    expect(previousYearPeriod('2026S1')).toBe('2025S1');
    expect(previousYearPeriod('202601')).toBe('202501');
    expect(targetPeriodsAffectedBy('2025Q3')).toEqual({ direct: ['2025Q3', '2025S2', '2025'], nextYear: ['2026Q3', '2026S2', '2026'] });
    expect(targetPeriodsAffectedBy('nope')).toEqual({ direct: [], nextYear: [] });
  });
});
