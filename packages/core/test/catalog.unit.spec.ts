import { describe, expect, it } from 'vitest';
import { catalogInForce, daysGoverned, optionCombos, publicationEffect, validateCatalog, type Catalog, type CatalogProblem } from '../src/catalog/index';

function validCatalog(): Catalog {
  return {
    version: '2021.1',
    legalBasis: 'Quyết định 1719/QĐ-TTg',
    effectiveFrom: '2021-10-14',
    effectiveTo: '2025-12-31',
    categories: [
      { code: 'ETHNIC', name: 'Dân tộc', options: [{ code: 'KINH', name: 'Kinh' }, { code: 'TAY', name: 'Tày' }, { code: 'HMONG', name: "H'Mông" }] },
      { code: 'SEX', name: 'Giới tính', options: [{ code: 'MALE', name: 'Nam' }, { code: 'FEMALE', name: 'Nữ' }] },
    ],
    categoryCombos: [{ code: 'ETHNIC_SEX', name: 'Dân tộc x giới tính', categories: ['ETHNIC', 'SEX'] }],
    dataElements: [
      { code: 'HH_TOTAL', name: 'Số hộ DTTS', valueType: 'INTEGER', aggregation: 'SUM', unit: 'household' },
      { code: 'HH_POOR', name: 'Số hộ nghèo DTTS', valueType: 'INTEGER', aggregation: 'SUM', unit: 'household' },
      { code: 'POP', name: 'Dân số', valueType: 'INTEGER', aggregation: 'SUM', categoryCombo: 'ETHNIC_SEX' },
      { code: 'HAS_ROAD', name: 'Có đường nhựa', valueType: 'BOOLEAN', aggregation: 'SUM' },
      { code: 'NOTE', name: 'Ghi chú', valueType: 'TEXT', aggregation: 'NONE' },
      { code: 'CAPITAL', name: 'Vốn', valueType: 'MONEY', aggregation: 'AVERAGE', unit: 'million VND' },
    ],
    indicators: [
      { code: 'POOR_RATE', name: 'Tỷ lệ hộ nghèo DTTS', numerator: '#{HH_POOR}', denominator: '#{HH_TOTAL}', factor: 100, unit: '%' },
      { code: 'KINH_MALE_SHARE', name: 'share', numerator: '#{POP.KINH_MALE}', denominator: '#{POP}', factor: 100 },
    ],
    templates: [
      { code: 'NTP1719_Q', name: 'Báo cáo quý', periodType: 'QUARTERLY', reportingLevel: 'commune', dataElements: ['HH_TOTAL', 'HH_POOR', 'POP', 'NOTE'], deadlineDaysAfterPeriodEnd: 10 },
    ],
    validationRules: [
      { code: 'POOR_LE_TOTAL', name: 'poor <= total', left: '#{HH_POOR}', operator: '<=', right: '#{HH_TOTAL}', importance: 'HIGH', onViolation: 'REJECT' },
      { code: 'ROAD_FLAG', name: 'road is 0/1', left: '#{HAS_ROAD}', operator: '<=', right: '1', importance: 'LOW', onViolation: 'WARN', periodType: 'YEARLY' },
    ],
    compositeIndices: [{ code: 'IDX', name: 'index', components: [{ code: 'C1', maxPoints: 100, indicator: 'POOR_RATE' }, { code: 'C2', maxPoints: 0, expression: '#{HH_TOTAL}' }] }],
  };
}

function problemsOf(input: unknown): CatalogProblem[] {
  const r = validateCatalog(input);
  return r.ok ? [] : r.problems;
}

describe('validateCatalog', () => {
  it('accepts a valid catalog and returns it', () => {
    const r = validateCatalog(validCatalog());
    expect(r).toEqual({ ok: true, catalog: validCatalog() });
  });

  it('NFC-normalises every string and does not modify the input', () => {
    const input = validCatalog();
    const nfd = 'Tày'.normalize('NFD');
    (input.categories?.[0]?.options[1] as { name: string }).name = nfd;
    input.legalBasis = 'Quyết định'.normalize('NFD');
    const r = validateCatalog(input);
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.catalog.categories?.[0]?.options[1]?.name).toBe('Tày'.normalize('NFC'));
    expect(r.catalog.legalBasis).toBe('Quyết định'.normalize('NFC'));
    expect(input.categories?.[0]?.options[1]?.name).toBe(nfd);
  });

  it('lists every problem of a catalog with many faults, each with a path', () => {
    const bad = {
      version: '',
      legalBasis: 'x',
      effectiveFrom: '2026-01-01',
      effectiveTo: '2025-12-31',
      categories: [
        { code: 'SEX', name: 'Sex', options: [{ code: 'MALE', name: 'M' }, { code: 'MALE', name: 'M again' }] },
        { code: 'SEX', name: 'dup', options: [] },
      ],
      categoryCombos: [{ code: 'BY_SEX', name: 'by sex', categories: ['SEX', 'AGE'] }],
      dataElements: [
        { code: 'HH_TOTAL', name: 'total', valueType: 'INTEGER', aggregation: 'SUM' },
        { code: 'HH_TOTAL', name: 'dup', valueType: 'INTEGER', aggregation: 'SUM' },
        { code: 'hh_poor', name: 'lower case', valueType: 'INT', aggregation: 'SUMMED' },
        { code: 'NOTE', name: 'note', valueType: 'TEXT', aggregation: 'SUM' },
        { code: 'FLAG', name: 'flag', valueType: 'BOOLEAN', aggregation: 'NONE', categoryCombo: 'NOPE' },
        { code: 'CAP', name: 'capital', valueType: 'MONEY', aggregation: 'AVERAGE', colour: 'red' },
      ],
      indicators: [
        { code: 'RATE', name: 'rate', numerator: '#{HH_TOTAL} +', denominator: '#{MISSING}', factor: 100 },
        { code: 'MIX', name: 'mix', numerator: '#{NOTE} + #{FLAG}', denominator: '#{HH_TOTAL.MALE}', factor: '100' },
      ],
      templates: [
        { code: 'T1', name: 'empty', periodType: 'WEEKLY', reportingLevel: 'commune', dataElements: [], deadlineDaysAfterPeriodEnd: -1 },
        { code: 'T2', name: 't2', periodType: 'YEARLY', reportingLevel: 'commune', dataElements: ['HH_TOTAL', 'GHOST', 'HH_TOTAL'], deadlineDaysAfterPeriodEnd: 5 },
      ],
      validationRules: [{ code: 'R1', name: 'r', left: '#{HH_TOTAL}', operator: '=<', right: '1 +* 2', importance: 'URGENT', onViolation: 'WARN' }],
    };
    const problems = problemsOf(bad);
    const has = (code: string, path: string, message?: RegExp): void => {
      const found = problems.some((p) => p.code === code && p.path === path && (!message || message.test(p.message)));
      expect(found, `${code} at ${path} in ${JSON.stringify(problems, null, 1)}`).toBe(true);
    };
    has('INVALID_FIELD', 'version');
    has('INVALID_DATE_RANGE', 'effectiveTo');
    has('DUPLICATE_CODE', 'categories[0].options[1].code');
    has('DUPLICATE_CODE', 'categories[1].code');
    has('INVALID_FIELD', 'categories[1].options', /at least one option/);
    has('UNKNOWN_REFERENCE', 'categoryCombos[0].categories[1]', /AGE/);
    has('DUPLICATE_CODE', 'dataElements[1].code');
    has('INVALID_CODE', 'dataElements[2].code');
    has('INVALID_FIELD', 'dataElements[2].valueType');
    has('INVALID_FIELD', 'dataElements[2].aggregation');
    has('TYPE_MISMATCH', 'dataElements[3].aggregation', /TEXT/);
    has('UNKNOWN_REFERENCE', 'dataElements[4].categoryCombo', /NOPE/);
    has('UNKNOWN_FIELD', 'dataElements[5].colour');
    has('FORMULA_SYNTAX', 'indicators[0].numerator', /end of formula/);
    has('UNKNOWN_REFERENCE', 'indicators[0].denominator', /MISSING/);
    has('TYPE_MISMATCH', 'indicators[1].numerator', /TEXT element NOTE/);
    has('TYPE_MISMATCH', 'indicators[1].numerator', /BOOLEAN element FLAG used in arithmetic/);
    has('TYPE_MISMATCH', 'indicators[1].numerator', /aggregation NONE/);
    has('UNKNOWN_REFERENCE', 'indicators[1].denominator', /not disaggregated/);
    has('INVALID_FIELD', 'indicators[1].factor');
    has('EMPTY_TEMPLATE', 'templates[0].dataElements');
    has('INVALID_FIELD', 'templates[0].periodType');
    has('INVALID_FIELD', 'templates[0].deadlineDaysAfterPeriodEnd', />= 0/);
    has('UNKNOWN_REFERENCE', 'templates[1].dataElements[1]', /GHOST/);
    has('DUPLICATE_CODE', 'templates[1].dataElements[2]');
    has('INVALID_FIELD', 'validationRules[0].operator');
    has('INVALID_FIELD', 'validationRules[0].importance');
    has('FORMULA_SYNTAX', 'validationRules[0].right');
    expect(problems.find((p) => p.path === 'indicators[0].numerator')?.position).toBe(13);
    expect(problems.find((p) => p.path === 'validationRules[0].right')?.position).toBe(3);
    expect(problems.length).toBeGreaterThanOrEqual(28);
  });

  it('reports shape errors for non-objects and missing collections', () => {
    expect(problemsOf(null)).toEqual([{ code: 'INVALID_FIELD', path: '', message: 'the catalog must be an object, got null' }]);
    const p = problemsOf({ version: '1', legalBasis: 'x', dataElements: {}, templates: [42] });
    expect(p.map((x) => `${x.code} ${x.path}`)).toEqual(['INVALID_FIELD dataElements', 'INVALID_FIELD indicators', 'INVALID_FIELD templates[0]']);
  });

  it('checks option combo references against the cartesian product', () => {
    const c = validCatalog();
    c.indicators.push({ code: 'BAD_COMBO', name: 'x', numerator: '#{POP.MALE_KINH}', denominator: '1', factor: 1 });
    expect(problemsOf(c)).toEqual([expect.objectContaining({ code: 'UNKNOWN_REFERENCE', path: 'indicators[2].numerator', message: expect.stringMatching(/MALE_KINH.*KINH_MALE/) })]);
  });

  it('detects option combo codes that collide when joined', () => {
    const c = validCatalog();
    c.categories = [
      { code: 'A', name: 'a', options: [{ code: 'X_Y', name: '1' }, { code: 'X', name: '2' }] },
      { code: 'B', name: 'b', options: [{ code: 'Z', name: '1' }, { code: 'Y_Z', name: '2' }] },
    ];
    c.categoryCombos = [{ code: 'AB', name: 'ab', categories: ['A', 'B'] }];
    c.dataElements = c.dataElements.filter((e) => e.code !== 'POP');
    c.indicators = c.indicators.filter((i) => i.code !== 'KINH_MALE_SHARE');
    c.templates[0]!.dataElements = ['HH_TOTAL'];
    expect(problemsOf(c)).toEqual([expect.objectContaining({ code: 'AMBIGUOUS_OPTION_COMBO', message: expect.stringContaining('X_Y_Z') })]);
  });

  it('allows BOOLEAN in comparisons and conditions, TEXT only in isNull/isNotNull', () => {
    const c = validCatalog();
    c.validationRules!.push({ code: 'R_OK', name: 'ok', left: 'if(#{HAS_ROAD} && isNotNull(#{NOTE}), 1, 0)', operator: '>=', right: '0', importance: 'LOW', onViolation: 'WARN' });
    expect(problemsOf(c)).toEqual([]);
    c.validationRules!.push({ code: 'R_BAD', name: 'bad', left: '#{NOTE} + #{HAS_ROAD}', operator: '>=', right: '0', importance: 'LOW', onViolation: 'WARN' });
    expect(problemsOf(c).map((p) => p.code)).toEqual(['TYPE_MISMATCH', 'TYPE_MISMATCH']);
  });

  it('checks composite indices', () => {
    const c = validCatalog();
    c.compositeIndices = [
      { code: 'IDX', name: 'i', components: [{ code: 'C1', maxPoints: -5, indicator: 'NOPE' }, { code: 'C1', maxPoints: 1 }] },
    ];
    expect(problemsOf(c).map((p) => `${p.code} ${p.path}`)).toEqual([
      'INVALID_FIELD compositeIndices[0].components[0].maxPoints',
      'UNKNOWN_REFERENCE compositeIndices[0].components[0].indicator',
      'INVALID_FIELD compositeIndices[0].components[1]',
      'DUPLICATE_CODE compositeIndices[0].components[1].code',
    ]);
  });

  it('rejects invalid ISO dates', () => {
    expect(problemsOf({ ...validCatalog(), effectiveFrom: '2025-02-30' })).toEqual([expect.objectContaining({ code: 'INVALID_FIELD', path: 'effectiveFrom' })]);
  });
});

describe('optionCombos', () => {
  it('is the cartesian product in category order, first category slowest', () => {
    expect(optionCombos(validCatalog(), 'ETHNIC_SEX')).toEqual(['KINH_MALE', 'KINH_FEMALE', 'TAY_MALE', 'TAY_FEMALE', 'HMONG_MALE', 'HMONG_FEMALE']);
    expect(optionCombos(validCatalog(), 'NOPE')).toEqual([]);
  });
});

describe('catalogInForce', () => {
  const v1 = { version: '1', effectiveFrom: '2021-10-14', effectiveTo: '2025-12-31' };
  const v2 = { version: '2', effectiveFrom: '2026-01-01' };
  const v2b = { version: '10', effectiveFrom: '2026-01-01' };
  const always = { version: '0' };
  it('chooses the latest effectiveFrom that is not past its effectiveTo', () => {
    expect(catalogInForce([v1, v2], '2025-06-30')).toBe(v1);
    expect(catalogInForce([v1, v2], '2025-12-31')).toBe(v1);
    expect(catalogInForce([v1, v2], '2026-01-01T08:00:00Z')).toBe(v2);
    expect(catalogInForce([v1, v2], '2020-01-01')).toBeUndefined();
    expect(catalogInForce([always, v1], '2020-01-01')).toBe(always);
    expect(catalogInForce([always, v1], '2022-01-01')).toBe(v1);
  });
  it('among equal effectiveFrom, the later publication wins, whatever the version strings', () => {
    expect(catalogInForce([v2b, v2], '2026-05-01')).toBe(v2);
    expect(catalogInForce([v2, v2b], '2026-05-01')).toBe(v2b);
    const hx = { version: 'hx-1' };
    const good = { version: 'good-1' };
    expect(catalogInForce([hx, good], '2026-05-01')).toBe(good);
    expect(catalogInForce([good, hx], '2026-05-01')).toBe(hx);
  });
});

describe('daysGoverned and publicationEffect', () => {
  const v1 = { version: '2021.1', effectiveFrom: '2021-10-14', effectiveTo: '2025-12-31' };
  const v2 = { version: '2026.1', effectiveFrom: '2026-01-01' };
  it('gives the days a version rules, cut by later-starting versions', () => {
    const always = { version: 'base' };
    expect(daysGoverned([always, v1, v2], 'base')).toEqual([{ from: null, to: '2021-10-13' }]);
    expect(daysGoverned([always, v1, v2], '2021.1')).toEqual([{ from: '2021-10-14', to: '2025-12-31' }]);
    expect(daysGoverned([always, v1, v2], '2026.1')).toEqual([{ from: '2026-01-01', to: null }]);
    // a bounded version in the middle of an open one splits it in two
    const mid = { version: 'mid', effectiveFrom: '2023-01-01', effectiveTo: '2023-12-31' };
    expect(daysGoverned([always, mid], 'base')).toEqual([
      { from: null, to: '2022-12-31' },
      { from: '2024-01-01', to: null },
    ]);
    expect(daysGoverned([always, mid], 'unknown')).toEqual([]);
  });
  it('says which version a publication displaced, and where', () => {
    const hx = { version: 'hx-1' };
    const good = { version: 'good-1' };
    expect(publicationEffect([hx], 'hx-1')).toEqual({ governs: [{ from: null, to: null }], displaced: [] });
    expect(publicationEffect([hx, good], 'good-1')).toEqual({
      governs: [{ from: null, to: null }],
      displaced: [{ version: 'hx-1', from: null, to: null }],
    });
    // the older 'hx-1' no longer governs any day
    expect(daysGoverned([hx, good], 'hx-1')).toEqual([]);
    // a new phase from 2026 displaces the open-ended base from then on, and nothing before
    const base = { version: 'base', effectiveFrom: '2021-10-14' };
    expect(publicationEffect([base, v2], '2026.1')).toEqual({
      governs: [{ from: '2026-01-01', to: null }],
      displaced: [{ version: 'base', from: '2026-01-01', to: null }],
    });
    // filling a gap displaces nothing
    expect(publicationEffect([v1, { version: 'early', effectiveFrom: '2020-01-01', effectiveTo: '2021-10-13' }], 'early')).toEqual({
      governs: [{ from: '2020-01-01', to: '2021-10-13' }],
      displaced: [],
    });
    // an earlier-starting version published later governs only up to the later-starting one
    expect(publicationEffect([v2, { version: 'older', effectiveFrom: '2024-01-01' }], 'older')).toEqual({
      governs: [{ from: '2024-01-01', to: '2025-12-31' }],
      displaced: [],
    });
    // the effect is the one at publication, even when later versions were published since
    expect(publicationEffect([hx, good, { version: 'third' }], 'good-1').displaced).toEqual([{ version: 'hx-1', from: null, to: null }]);
  });
});
