import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkRulesLive, formElements, keyOf, referencedKeys, serverFieldErrors, valuesOf, checkField } from '../src/lib/form-model';
import { changeOf } from '../src/lib/hierarchy-change';
import { periodRange, rankDescending } from '../src/lib/ranking';
import { fold, matches } from '../src/lib/text';
import type { Catalog } from '../src/lib/types';
import { shiftPeriod } from '../../packages/core/src/period/period';
import { VN_HIERARCHY_VERSIONS } from '../../packages/core/src/hierarchy/versions';
import { MESSAGES } from '../src/lib/messages';

const catalog = JSON.parse(readFileSync(new URL('../../data/demo/catalog-1719.json', import.meta.url), 'utf8')) as Catalog;

describe('accent-insensitive text', () => {
  it('"thai nguyen" finds "Thái Nguyên", "đ" folds to "d", in NFC or NFD', () => {
    expect(matches('Tỉnh Thái Nguyên', 'thai nguyen')).toBe(true);
    expect(matches('Tỉnh Thái Nguyên'.normalize('NFD'), 'THÁI')).toBe(true);
    expect(fold('Đồng Hỷ')).toBe('dong hy');
    expect(matches('Phú Lương', 'thai')).toBe(false);
  });
});

describe('ranking and period ranges', () => {
  it('ties share a rank and the next rank skips; missing values come last, unranked', () => {
    const r = rankDescending(['a', 'b', 'c', 'd', 'e'], (x) => ({ a: 5, b: 9, c: 5, d: null, e: 1 })[x]);
    expect(r.map((x) => `${x.item}:${x.rank}`)).toEqual(['b:1', 'a:2', 'c:2', 'e:4', 'd:null']);
  });
  it('walks periods of one type, bounded', () => {
    expect(periodRange('2025S1', '2026S2', shiftPeriod)).toEqual(['2025S1', '2025S2', '2026S1', '2026S2']);
    expect(periodRange('2026Q1', '2020Q1', shiftPeriod, 3)).toEqual(['2026Q1', '2026Q2', '2026Q3']);
  });
});

describe('the data-entry form generated from the catalog', () => {
  const elements = formElements(catalog, 'M1719_S');

  it('has one field per element of the template, and a grid of option combos for disaggregated ones', () => {
    expect(elements.map((e) => e.element.code)).toEqual(catalog.templates.find((t) => t.code === 'M1719_S')!.dataElements);
    const children = elements.find((e) => e.element.code === 'CHILDREN_5Y')!;
    expect(children.combos).toEqual(['MALE', 'FEMALE']);
    expect(children.cols.map((c) => c.code)).toEqual(['MALE', 'FEMALE']);
    expect(elements.find((e) => e.element.code === 'HH_TOTAL')!.combos).toEqual([]);
  });

  it('types the values by value type and leaves empty fields out', () => {
    const values = valuesOf(elements, { HH_TOTAL: '1200', 'CHILDREN_5Y.MALE': '12', 'CHILDREN_5Y.FEMALE': ' ', HH_POOR: '' });
    expect(values).toEqual([
      { dataElement: 'HH_TOTAL', value: 1200 },
      { dataElement: 'CHILDREN_5Y', optionCombo: 'MALE', value: 12 },
    ]);
  });

  it('checks a field while typing: type errors, then bounds as warnings', () => {
    const total = catalog.dataElements.find((d) => d.code === 'HH_TOTAL')!;
    const texts = { notInteger: 'int', notNumber: 'num', belowMin: (n: number) => `min ${n}`, aboveMax: (n: number) => `max ${n}` };
    expect(checkField(total, '12.5', texts)).toEqual({ severity: 'error', message: 'int' });
    expect(checkField(total, 'abc', texts)).toEqual({ severity: 'error', message: 'num' });
    expect(checkField(total, '60000', texts)).toEqual({ severity: 'warning', message: 'max 50000' });
    expect(checkField(total, '1200', texts)).toBeNull();
  });

  it("evaluates the catalog's rules with core's formula code and names the fields they read", () => {
    const problems = checkRulesLive(catalog, valuesOf(elements, { HH_TOTAL: '1000', HH_EM: '300', HH_EM_POOR: '400' }), 'SIXMONTHLY');
    const rule = problems.find((p) => p.rule === 'EM_POOR_LE_EM')!;
    expect(rule.onViolation).toBe('REJECT');
    expect(rule.fields).toEqual(['HH_EM_POOR', 'HH_EM']);
    expect(checkRulesLive(catalog, valuesOf(elements, { HH_TOTAL: '1000', HH_EM: '300', HH_EM_POOR: '40' }), 'SIXMONTHLY').map((p) => p.rule)).not.toContain('EM_POOR_LE_EM');
    expect(referencedKeys('#{A.B} + #{C}')).toEqual([keyOf('A', 'B'), 'C']);
  });

  it("maps the server's refusals to fields: problems by value index, violations by the rule's references", () => {
    const sent = [{ dataElement: 'HH_TOTAL', value: 1 }, { dataElement: 'CHILDREN_5Y', optionCombo: 'MALE', value: -1 }];
    const fields = serverFieldErrors(catalog, sent, {
      problems: [{ code: 'INVALID_VALUE', path: 'values[1].value', message: 'negative' }],
      violations: [{ rule: 'EM_POOR_LE_EM', message: 'em poor > em' }],
    });
    expect(fields).toEqual({ 'CHILDREN_5Y.MALE': ['negative'], HH_EM_POOR: ['em poor > em'], HH_EM: ['em poor > em'] });
  });
});

describe('hierarchy changes typed on the admin screen', () => {
  it('a merge: codes separated by commas, spaces or semicolons', () => {
    expect(changeOf({ kind: 'merge', codes: '00004, 00007;00010  00013', into: '00001' })).toEqual({ kind: 'merge', codes: ['00004', '00007', '00010', '00013'], into: '00001' });
  });

  it('a split: one part a line (code; name; type[; parent]), children assigned by "child = part", names in NFC', () => {
    const change = changeOf({
      kind: 'split',
      code: '001',
      parts: `001; Quận Ba Đình; Quận\n${'002; Quận Mới; Quận; 01'.normalize('NFD')}\n\n`,
      assign: '00001 = 001\n00004=002\nbroken line',
    });
    expect(change).toEqual({
      kind: 'split',
      code: '001',
      parts: [
        { code: '001', name: 'Quận Ba Đình', type: 'Quận' },
        { code: '002', name: 'Quận Mới', type: 'Quận', parentCode: '01' },
      ],
      assign: { '00001': '001', '00004': '002' },
    });
    expect(((change.parts as Array<{ name: string }>)[1]!.name)).toBe('Quận Mới'.normalize('NFC'));
    expect(changeOf({ kind: 'split', code: '001', parts: '002; A; Xã', assign: '' })).not.toHaveProperty('assign');
  });

  it('rename, move and retire', () => {
    expect(changeOf({ kind: 'rename', code: '19', name: 'Thái Nguyên'.normalize('NFD') })).toEqual({ kind: 'rename', code: '19', name: 'Thái Nguyên' });
    expect(changeOf({ kind: 'move', code: '01840', newParentCode: '20' })).toEqual({ kind: 'move', code: '01840', newParentCode: '20' });
    expect(changeOf({ kind: 'retire', code: '01840' })).toEqual({ kind: 'retire', code: '01840' });
  });
});

describe('level names on screen', () => {
  it('has a Vietnamese and an English name for every level of both maps, never the level code itself', () => {
    const levels = [...new Set(VN_HIERARCHY_VERSIONS.flatMap((v) => v.levels))].sort();
    expect(levels).toEqual(['commune', 'country', 'district', 'province']);
    const names = MESSAGES as Record<string, readonly [string, string] | undefined>;
    expect(levels.map((l) => names[`lv_${l}`])).toEqual([
      ['Cấp xã', 'Commune'],
      ['Trung ương', 'Central'],
      ['Cấp huyện', 'District'],
      ['Cấp tỉnh', 'Province'],
    ]);
  });
});
