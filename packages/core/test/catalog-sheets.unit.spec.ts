import { describe, expect, it } from 'vitest';
import { catalogFromSheets, catalogToSheets, columnLetter, locateProblems, validateCatalog, type Catalog, type SheetTable } from '../src';

const CATALOG: Catalog = {
  version: '2026.1',
  legalBasis: 'Quyết định 1719/QĐ-TTg',
  effectiveFrom: '2026-01-01',
  categories: [{ code: 'SEX', name: 'Giới tính', options: [{ code: 'MALE', name: 'Nam' }, { code: 'FEMALE', name: 'Nữ' }] }],
  categoryCombos: [{ code: 'SEX_COMBO', name: 'Giới tính', categories: ['SEX'] }],
  dataElements: [
    { code: 'HH_TOTAL', name: 'Tổng số hộ', valueType: 'INTEGER', aggregation: 'SUM', unit: 'household', min: 0, max: 50000, onOutOfRange: 'REJECT' },
    { code: 'PEOPLE', name: 'Số người', valueType: 'INTEGER', aggregation: 'SUM', categoryCombo: 'SEX_COMBO', allowNegative: false },
  ],
  indicators: [{ code: 'PEOPLE_PER_HH', name: 'Người mỗi hộ', numerator: '#{PEOPLE}', denominator: '#{HH_TOTAL}', factor: 1 }],
  templates: [
    { code: 'M1', name: 'Biểu 1', periodType: 'SIXMONTHLY', reportingLevel: 'commune', dataElements: ['HH_TOTAL', 'PEOPLE'], deadlineDaysAfterPeriodEnd: 15, approvalLevels: ['district', 'province'] },
  ],
  validationRules: [{ code: 'R1', name: 'Người >= hộ', left: '#{PEOPLE}', operator: '>=', right: '#{HH_TOTAL}', importance: 'HIGH', onViolation: 'WARN' }],
  compositeIndices: [{ code: 'IDX', name: 'Chỉ số', components: [{ code: 'C1', maxPoints: 10, indicator: 'PEOPLE_PER_HH' }] }],
};

const sheet = (tables: SheetTable[], name: string) => tables.find((t) => t.name === name)!;

describe('the catalog workbook layout', () => {
  it('reads back what it writes: the same catalog, valid', () => {
    const read = catalogFromSheets(catalogToSheets(CATALOG));
    expect(read.problems).toEqual([]);
    const checked = validateCatalog(read.input);
    expect(checked.ok).toBe(true);
    expect(read.input).toEqual(CATALOG);
  });

  it('converts cells as typed in a spreadsheet: numeric and boolean text, comma lists, numbers in text columns', () => {
    const tables: SheetTable[] = catalogToSheets({ ...CATALOG, version: 'x' });
    sheet(tables, 'catalog').rows[1] = ['version', 2027];
    const de = sheet(tables, 'dataElements');
    de.rows[1]![de.rows[0]!.indexOf('max')] = '40000';
    de.rows[2]![de.rows[0]!.indexOf('allowNegative')] = 'TRUE';
    const tpl = sheet(tables, 'templates');
    tpl.rows[1]![tpl.rows[0]!.indexOf('approvalLevels')] = 'district;province';
    const read = catalogFromSheets(tables);
    expect(read.input.version).toBe('2027');
    expect((read.input.dataElements as Array<Record<string, unknown>>)[0]!.max).toBe(40000);
    expect((read.input.dataElements as Array<Record<string, unknown>>)[1]!.allowNegative).toBe(true);
    expect((read.input.templates as Array<Record<string, unknown>>)[0]!.approvalLevels).toEqual(['district', 'province']);
  });

  it("lists every problem with its sheet, row and column: the layout's and the catalog rules'", () => {
    const tables: SheetTable[] = catalogToSheets(CATALOG);
    const de = sheet(tables, 'dataElements');
    const vt = de.rows[0]!.indexOf('valueType');
    de.rows[2]![vt] = 'INTEGR'; // row 3 of dataElements
    de.rows[0]!.push('colour'); // an unknown column
    sheet(tables, 'templateDataElements').rows.push(['M1', 'NOPE']); // an unknown data element, row 4
    sheet(tables, 'categoryOptions').rows.push(['AGE', 'OLD', 'Già']); // a child of no parent, row 4
    const ind = sheet(tables, 'indicators');
    ind.rows[1]![ind.rows[0]!.indexOf('numerator')] = { problem: 'the cell holds the error #REF!' };
    const read = catalogFromSheets(tables);
    const checked = validateCatalog(read.input);
    expect(checked.ok).toBe(false);
    const problems = locateProblems(read, checked.ok ? [] : checked.problems);
    const at = (cell: string, sheetName: string) => problems.find((p) => p.cell === cell && p.sheet === sheetName);
    expect(at(`${columnLetter(vt + 1)}3`, 'dataElements')).toMatchObject({ code: 'INVALID_FIELD', path: 'dataElements[1].valueType', row: 3, field: 'valueType' });
    expect(at(`${columnLetter(de.rows[0]!.length)}1`, 'dataElements')).toMatchObject({ code: 'UNKNOWN_FIELD' });
    expect(at('B4', 'templateDataElements')).toMatchObject({ code: 'UNKNOWN_REFERENCE', path: 'templates[0].dataElements[2]', row: 4 });
    expect(at('A4', 'categoryOptions')).toMatchObject({ code: 'UNKNOWN_REFERENCE', row: 4 });
    expect(problems.find((p) => p.sheet === 'indicators')).toMatchObject({ code: 'INVALID_FIELD', row: 2, field: 'numerator' });
    expect(problems.every((p) => p.sheet !== undefined)).toBe(true);
  });

  it('refuses a sheet it does not know', () => {
    const read = catalogFromSheets([...catalogToSheets(CATALOG), { name: 'Sheet1', rows: [['x']] }]);
    expect(read.problems).toEqual([expect.objectContaining({ code: 'UNKNOWN_FIELD', sheet: 'Sheet1' })]);
  });

  it('names columns as spreadsheets do', () => {
    expect([1, 26, 27, 52, 703].map(columnLetter)).toEqual(['A', 'Z', 'AA', 'AZ', 'AAA']);
  });
});
