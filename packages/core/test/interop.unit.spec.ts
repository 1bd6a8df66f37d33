import { describe, expect, it } from 'vitest';
import {
  DEFAULT_COMBO_UID,
  ImportSummaryBuilder,
  MAX_LISTED_CONFLICTS,
  UidMap,
  formRows,
  isUid,
  mergeValues,
  restoreNeutralized,
  typedValue,
  uidOf,
  neutralizeFormula,
  type Catalog,
} from '../src';

const catalog: Catalog = {
  version: 't1',
  legalBasis: 'test',
  categories: [
    { code: 'SEX', name: 'Giới tính', options: [{ code: 'MALE', name: 'Nam' }, { code: 'FEMALE', name: 'Nữ' }] },
    { code: 'ETHNIC_GROUP', name: 'Dân tộc', options: [{ code: 'SAN_CHAY', name: 'Sán Chay' }, { code: 'TAY', name: 'Tày' }] },
  ],
  categoryCombos: [{ code: 'BY_ETHNIC_SEX', name: 'x', categories: ['ETHNIC_GROUP', 'SEX'] }],
  dataElements: [
    { code: 'HH_TOTAL', name: 'Tổng số hộ', valueType: 'INTEGER', aggregation: 'SUM' },
    { code: 'EM_POP', name: 'Dân số DTTS', valueType: 'INTEGER', aggregation: 'SUM', categoryCombo: 'BY_ETHNIC_SEX' },
  ],
  indicators: [],
  templates: [{ code: 'T', name: 'T', periodType: 'YEARLY', reportingLevel: 'commune', dataElements: ['HH_TOTAL', 'EM_POP'], deadlineDaysAfterPeriodEnd: 10 }],
};

describe('form rows', () => {
  it('one row per plain element; per disaggregated element each combination (options named, even with _ in codes), then its total', () => {
    const rows = formRows(catalog, 'T')!;
    expect(rows.map((r) => [r.dataElement, r.optionCombo ?? '', r.optionLabel ?? ''])).toEqual([
      ['HH_TOTAL', '', ''],
      ['EM_POP', 'SAN_CHAY_MALE', 'Sán Chay / Nam'],
      ['EM_POP', 'SAN_CHAY_FEMALE', 'Sán Chay / Nữ'],
      ['EM_POP', 'TAY_MALE', 'Tày / Nam'],
      ['EM_POP', 'TAY_FEMALE', 'Tày / Nữ'],
      ['EM_POP', '', ''],
    ]);
    expect(formRows(catalog, 'NOPE')).toBeUndefined();
  });
});

describe('values from files', () => {
  it('text becomes the element type when it reads as one; otherwise stays text for the checks to refuse', () => {
    expect(typedValue('INTEGER', ' 150 ')).toBe(150);
    expect(typedValue('MONEY', '1.5e3')).toBe(1500);
    expect(typedValue('INTEGER', 'nhiều')).toBe('nhiều');
    expect(typedValue('BOOLEAN', 'true')).toBe(true);
    expect(typedValue('BOOLEAN', '0')).toBe(false);
    expect(typedValue('TEXT', 12)).toBe('12');
    expect(typedValue(undefined, '7')).toBe('7');
  });
  it('text written formula-safe reads back as it was', () => {
    for (const t of ['=1+1', '-5 hộ', '@x', 'bình thường', "'quoted"]) expect(restoreNeutralized(neutralizeFormula(t))).toBe(t);
  });
});

describe('merging imported values into a report', () => {
  const existing = [
    { dataElement: 'A', value: 1 },
    { dataElement: 'B', optionCombo: 'X', value: 2 },
  ];
  it('merge: new values are imported, changed ones updated, equal ones ignored, others kept', () => {
    const plan = mergeValues(existing, [{ dataElement: 'A', value: 1 }, { dataElement: 'B', optionCombo: 'X', value: 3 }, { dataElement: 'C', value: 4 }], 'merge');
    expect(plan.counts).toEqual({ imported: 1, updated: 1, ignored: 1, deleted: 0 });
    expect(plan.values).toEqual([{ dataElement: 'A', value: 1 }, { dataElement: 'B', optionCombo: 'X', value: 3 }, { dataElement: 'C', value: 4 }]);
    expect(plan.changed).toBe(true);
  });
  it('replace: values missing from the form are deleted; the same values change nothing', () => {
    const plan = mergeValues(existing, [{ dataElement: 'A', value: 1 }], 'replace');
    expect(plan.counts).toEqual({ imported: 0, updated: 0, ignored: 1, deleted: 1 });
    expect(plan.values).toEqual([{ dataElement: 'A', value: 1 }]);
    expect(mergeValues(existing, existing, 'replace').changed).toBe(false);
  });
  it('delete removes the listed values; a comment change is an update', () => {
    const plan = mergeValues(existing, [{ dataElement: 'A', value: 9 }, { dataElement: 'Z', value: 1 }], 'delete');
    expect(plan.counts).toEqual({ imported: 0, updated: 0, ignored: 1, deleted: 1 });
    expect(plan.values).toEqual([existing[1]]);
    expect(mergeValues(existing, [{ dataElement: 'A', value: 1, comment: 'sửa' }], 'merge').counts.updated).toBe(1);
    expect(mergeValues(null, [{ dataElement: 'A', value: 1 }], 'merge').counts.imported).toBe(1);
  });
});

describe('import summary', () => {
  it('SUCCESS without conflicts, WARNING with conflicts and accepted values, ERROR when nothing was accepted', () => {
    const ok = new ImportSummaryBuilder(false);
    ok.add({ imported: 3 });
    expect(ok.build()).toMatchObject({ status: 'SUCCESS', importCount: { imported: 3, updated: 0, ignored: 0, deleted: 0 }, conflicts: [], dryRun: false });

    const partly = new ImportSummaryBuilder(true);
    partly.add({ ignored: 2 }); // unchanged values were accepted
    partly.conflict({ object: 'A', value: 'x', errorCode: 'INVALID_VALUE', row: 3 });
    partly.refused(1);
    expect(partly.build()).toMatchObject({ status: 'WARNING', dryRun: true, importCount: { ignored: 3 } });

    const none = new ImportSummaryBuilder(false);
    none.conflict({ object: 'r', value: 'no reason', errorCode: 'AMENDMENT_REASON_REQUIRED' });
    none.refused(4);
    expect(none.build()).toMatchObject({ status: 'ERROR', importCount: { ignored: 4 } });
  });
  it('lists at most MAX_LISTED_CONFLICTS conflicts and says how many there were', () => {
    const b = new ImportSummaryBuilder(false);
    for (let i = 0; i < MAX_LISTED_CONFLICTS + 5; i++) b.conflict({ object: 'A', value: String(i), errorCode: 'INVALID_VALUE' });
    const s = b.build();
    expect(s.conflicts).toHaveLength(MAX_LISTED_CONFLICTS);
    expect(s.description).toContain(`${MAX_LISTED_CONFLICTS} of ${MAX_LISTED_CONFLICTS + 5} listed`);
  });
});

describe('DHIS2 UIDs for codes', () => {
  it('are DHIS2-shaped, stable, distinct per kind and code, and map back', () => {
    const codes = Array.from({ length: 5000 }, (_, i) => `E${i}`);
    const uids = codes.map((c) => uidOf('dataElement', c));
    expect(uids.every(isUid)).toBe(true);
    expect(new Set(uids).size).toBe(codes.length);
    expect(uidOf('dataElement', 'HH_TOTAL')).toBe(uidOf('dataElement', 'HH_TOTAL'));
    expect(uidOf('orgUnit', 'HH_TOTAL')).not.toBe(uidOf('dataElement', 'HH_TOTAL'));
    expect(uidOf('categoryOptionCombo', 'default')).toBe(DEFAULT_COMBO_UID);
    const map = new UidMap('dataElement', codes);
    expect(map.codeOf(uids[1234]!)).toBe('E1234');
    expect(map.codeOf('AAAAAAAAAAA')).toBeUndefined();
  });
});
