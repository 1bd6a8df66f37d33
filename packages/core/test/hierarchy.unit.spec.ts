import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  Hierarchy,
  HierarchyRegistry,
  Remapping,
  VN_2025,
  VN_PRE2025,
  foldVietnamese,
  parseHierarchyCsv,
  parseMappingCsv,
  type HierarchyVersion,
} from '../src/hierarchy/index';
import { parseCsvRecords } from '../src/hierarchy/csv';
import { DomainError } from '../src/errors';

const DATA = new URL('../../../data/vn-admin/', import.meta.url);
const read = (f: string): string => readFileSync(new URL(f, DATA), 'utf8');

const pre = parseHierarchyCsv(read('vn_admin_pre2025.csv'), VN_PRE2025);
const now = parseHierarchyCsv(read('vn_admin_2025.csv'), VN_2025);
const mapping = parseMappingCsv(read('vn_admin_2025_old_to_new.csv'));

describe('parseHierarchyCsv on the real data', () => {
  it('counts units per level', () => {
    expect(pre.size).toBe(10_794 + 1);
    expect(pre.units('province')).toHaveLength(63);
    expect(pre.units('district')).toHaveLength(696);
    expect(pre.units('commune')).toHaveLength(10_035);
    expect(now.size).toBe(3_355 + 1);
    expect(now.units('province')).toHaveLength(34);
    expect(now.units('district')).toHaveLength(0);
    expect(now.units('commune')).toHaveLength(3_321);
    expect(pre.countDescendantsAtLevel('VN', 'commune')).toBe(10_035);
    expect(now.countDescendantsAtLevel('VN', 'commune')).toBe(3_321);
    expect(pre.countDescendantsAtLevel('VN', 'province')).toBe(63);
  });

  it('adds the national root', () => {
    expect(pre.get('VN')).toEqual({ code: 'VN', name: 'Việt Nam', shortName: 'Việt Nam', type: 'Quốc gia', level: 'country', parentCode: null });
    expect(pre.roots().map((u) => u.code)).toEqual(['VN']);
    expect(now.childrenOf('VN')).toHaveLength(34);
    expect(pre.levelIndex('country')).toBe(0);
    expect(pre.levelIndex('commune')).toBe(3);
    expect(now.levelIndex('commune')).toBe(2);
    expect(now.levelIndex('district')).toBe(-1);
  });

  it('Thái Nguyên = 19 in both maps', () => {
    expect(pre.get('19')).toMatchObject({ name: 'Tỉnh Thái Nguyên', shortName: 'Thái Nguyên', type: 'Tỉnh', level: 'province', parentCode: 'VN' });
    expect(now.get('19')).toMatchObject({ name: 'Tỉnh Thái Nguyên', level: 'province' });
    const districts = pre.childrenOf('19');
    expect(districts.map((d) => d.code)).toEqual(['164', '165', '167', '168', '169', '170', '171', '172', '173']);
    expect(pre.get('168')).toMatchObject({ name: 'Huyện Phú Lương', shortName: 'Phú Lương', type: 'Huyện', level: 'district', parentCode: '19' });
    expect(pre.childrenOf('168')).toHaveLength(14);
    expect(pre.countDescendantsAtLevel('168', 'commune')).toBe(14);
    expect(now.childrenOf('19')).toHaveLength(92);
    expect(now.countDescendantsAtLevel('19', 'commune')).toBe(92);
    expect(now.descendantsAtLevel('19', 'commune')).toHaveLength(92);
    expect(pre.descendantsAtLevel('19', 'district')).toHaveLength(9);
    const communes = pre.descendantsAtLevel('19', 'commune');
    expect(communes.length).toBe(pre.countDescendantsAtLevel('19', 'commune'));
    expect(communes.every((c) => c.level === 'commune' && pre.isWithin(c.code, '19'))).toBe(true);
    expect(pre.descendantsAtLevel('168', 'province')).toEqual([]);
    expect(pre.descendantsAtLevel('nope', 'commune')).toEqual([]);
  });

  it('codes are reused across versions: key by (version, code)', () => {
    expect(pre.get('05611')).toMatchObject({ name: 'Thị trấn Đu', shortName: 'Đu', type: 'Thị trấn', parentCode: '168' });
    expect(now.get('05611')).toMatchObject({ name: 'Xã Phú Lương', shortName: 'Phú Lương', type: 'Xã', parentCode: '19' });
    expect(pre.get('15')?.shortName).toBe('Yên Bái');
    expect(now.get('15')?.shortName).toBe('Lào Cai');
  });

  it('ancestors and paths', () => {
    expect(pre.ancestorsOf('05611').map((u) => u.code)).toEqual(['168', '19', 'VN']);
    expect(pre.pathOf('05611').map((u) => u.code)).toEqual(['VN', '19', '168', '05611']);
    expect(now.ancestorsOf('05611').map((u) => u.code)).toEqual(['19', 'VN']);
    expect(pre.parentOf('05611')?.code).toBe('168');
    expect(pre.parentOf('VN')).toBeUndefined();
    expect(pre.ancestorsOf('VN')).toEqual([]);
    expect(pre.pathOf('VN').map((u) => u.code)).toEqual(['VN']);
    expect(pre.ancestorsOf('missing')).toEqual([]);
    expect(pre.ancestorAtLevel('05611', 'province')?.code).toBe('19');
    expect(pre.get('missing')).toBeUndefined();
    expect(() => pre.require('missing')).toThrow(DomainError);
  });

  it('every unit: path starts at VN, levels strictly descend, counts match lists (sampled)', () => {
    const units = pre.units();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: units.length - 1 }), (i) => {
        const u = units[i]!;
        const path = pre.pathOf(u.code);
        expect(path[0]!.code).toBe('VN');
        expect(path[path.length - 1]).toBe(u);
        for (let k = 1; k < path.length; k++) expect(pre.levelIndex(path[k]!.level)).toBeGreaterThan(pre.levelIndex(path[k - 1]!.level));
        for (const level of pre.levels) expect(pre.descendantsAtLevel(u.code, level).length).toBe(pre.countDescendantsAtLevel(u.code, level));
      }),
      { numRuns: 200 },
    );
  });

  it('searches accent- and case-insensitively', () => {
    const hits = pre.search('phu luong');
    expect(hits.map((u) => u.name)).toContain('Huyện Phú Lương');
    expect(hits[0]!.shortName).toBe('Phú Lương');
    expect(hits[0]!.level).toBe('district'); // higher level first among exact matches
    expect(now.search('PHU LUONG').map((u) => u.code)).toContain('05611');
    expect(now.search('phu luong', { within: '19' }).map((u) => u.name)).toEqual(['Xã Phú Lương']);
    expect(pre.search('Phú Lương', { level: 'commune' }).every((u) => u.level === 'commune')).toBe(true);
    expect(pre.search('dong hy', { within: '19' }).map((u) => u.code)).toContain('169');
    expect(pre.search('thai nguyen', { limit: 1 })).toHaveLength(1);
    expect(now.search('dac khu con dao').map((u) => u.name)).toEqual(['Đặc khu Côn Đảo']);
    expect(pre.search('   ')).toEqual([]);
    expect(now.search('phu luo', { within: '19' }).map((u) => u.name)).toEqual(['Xã Phú Lương']);
    expect(pre.search('luong phu').map((u) => u.code)).toContain('168'); // any order, lower rank
    expect(pre.search('uong').map((u) => u.shortName)).toEqual(['Uông Bí']); // word starts only, not 'Lương'
    expect(foldVietnamese('Đạ M\'ri  Hòa Hoà ĐỨC')).toBe('da m ri hoa hoa duc');
  });

  it('counts are memoized per level (fast after the first call)', () => {
    const h = parseHierarchyCsv(read('vn_admin_pre2025.csv'), VN_PRE2025);
    h.countDescendantsAtLevel('VN', 'commune');
    const t0 = performance.now();
    let total = 0;
    for (const p of h.units('province')) for (let k = 0; k < 1000; k++) total += h.countDescendantsAtLevel(p.code, 'commune');
    expect(total).toBe(10_035 * 1000);
    expect(performance.now() - t0).toBeLessThan(500);
  });
});

describe('CSV handling', () => {
  const V: HierarchyVersion = { id: 't', validFrom: '2000-01-01', levels: ['country', 'province', 'commune'] };

  it('handles quotes, CRLF, BOM, blank lines and NFD names', () => {
    const nfd = 'Xã Phú Lương'.normalize('NFD');
    const text = `\uFEFFcode,name,type,level,parent_code\r\n"01","Tỉnh A, ""B""",Tỉnh,province,\r\n\r\n02,${nfd},Xã,commune,01\r\n`;
    const h = parseHierarchyCsv(text, V);
    expect(h.get('01')).toMatchObject({ name: 'Tỉnh A, "B"', shortName: 'A, "B"', parentCode: 'VN' });
    expect(h.get('02')?.name).toBe('Xã Phú Lương'.normalize('NFC'));
    expect(h.get('02')?.shortName).toBe('Phú Lương');
    expect(parseCsvRecords('a,"x\ny",c\n')).toEqual([['a', 'x\ny', 'c']]);
    expect(parseCsvRecords('a,,\n')).toEqual([['a', '', '']]);
  });

  it('rejects broken input', () => {
    expect(() => parseHierarchyCsv('code,name,type,level\n01,A,Tỉnh,province\n', V)).toThrow(/parent_code/);
    expect(() => parseHierarchyCsv('code,name,type,level,parent_code\n01,"A,Tỉnh,province,\n', V)).toThrow(/unterminated/);
    expect(() => parseHierarchyCsv('code,name,type,level,parent_code\n02,Xã B,Xã,commune,99\n', V)).toThrow(/parent 99/);
    expect(() => parseHierarchyCsv('code,name,type,level,parent_code\n01,A,Tỉnh,province,\n01,A,Tỉnh,province,\n', V)).toThrow(/duplicate/);
    expect(() => parseHierarchyCsv('code,name,type,level,parent_code\n01,A,Huyện,district,\n', V)).toThrow(/level/);
    expect(() => parseHierarchyCsv('code,name,type,level,parent_code\n01,A,Tỉnh,province,\n02,B,Tỉnh,province,03\n03,C,Xã,commune,01\n', V)).toThrow(/cannot sit under/);
  });
});

describe('HierarchyRegistry', () => {
  const reg = new HierarchyRegistry([pre, now]);
  it('chooses by date and id', () => {
    expect(reg.forDate('2025-06-30').version.id).toBe('pre2025');
    expect(reg.forDate('2025-07-01')?.version.id).toBe('2025');
    expect(reg.forDate('2022-01-15')?.version.id).toBe('pre2025');
    expect(reg.forDate('2031-12-31')?.version.id).toBe('2025');
    expect(reg.findForDate('1999-12-31')).toBeUndefined();
    expect(() => reg.forDate('1999-12-31')).toThrow(DomainError);
    expect(reg.forPeriod('2025S1')?.version.id).toBe('pre2025');
    expect(reg.forPeriod('2025')?.version.id).toBe('2025');
    expect(reg.get('2025')).toBe(now);
    expect(reg.get('x')).toBeUndefined();
    expect(() => reg.require('x')).toThrow(DomainError);
    expect(reg.ids()).toEqual(['pre2025', '2025']);
  });
  it('rejects duplicates and overlaps', () => {
    expect(() => new HierarchyRegistry([pre, pre])).toThrow(DomainError);
    const overlapping = new Hierarchy({ ...VN_2025, id: 'other', validFrom: '2025-06-01' }, now.units());
    expect(() => new HierarchyRegistry([pre, overlapping])).toThrow(/overlaps/);
  });
});

describe('mapping and Remapping', () => {
  it('parses 9,592 full and 1,012 partial rows that join both maps', () => {
    expect(mapping).toHaveLength(10_604);
    expect(mapping.filter((r) => r.mergeType === 'full')).toHaveLength(9_592);
    expect(mapping.filter((r) => r.mergeType === 'partial')).toHaveLength(1_012);
    expect(mapping.filter((r) => r.oldLevel === 'district').map((r) => r.oldCode)).toEqual(['318', '471', '498', '536', '755']);
    expect(mapping.every((r) => now.get(r.newCode)?.level === 'commune')).toBe(true);
    const missingOld = mapping.filter((r) => !pre.has(r.oldCode));
    expect(missingOld).toHaveLength(12);
    expect(missingOld.every((r) => r.note.length > 0)).toBe(true);
    expect(mapping.find((r) => r.oldCode === '07693')?.note).toMatch(/^old code absent/);
  });

  const remap = new Remapping(mapping);

  it('gives equal shares to split units, summing to 1, marked estimated', () => {
    let splits = 0;
    for (const oldCode of remap.oldCodes()) {
      const t = remap.targetsOf(oldCode)!;
      const sum = t.targets.reduce((a, x) => a + x.weight, 0);
      expect(sum).toBeCloseTo(1, 12);
      if (t.targets.length > 1) {
        splits++;
        expect(t.estimated).toBe(true);
        for (const x of t.targets) expect(x.weight).toBeCloseTo(1 / t.targets.length, 12);
      } else {
        expect(t.targets[0]!.weight).toBe(1);
        expect(t.estimated).toBe(false);
      }
    }
    expect(splits).toBe(460);
    expect(remap.targetsOf('00001')).toEqual({ oldCode: '00001', targets: [{ newCode: '00097', weight: 1, mergeType: 'full' }], estimated: false });
    expect(remap.targetsOf('nope')).toBeUndefined();
    expect(new Set(remap.newCodes()).size).toBe(3_321);
  });

  it('every pre-2025 commune maps somewhere; remapping preserves totals', () => {
    const values = new Map<string, number>();
    for (const c of pre.units('commune')) values.set(c.code, 10);
    const { byNewCode, unmapped } = remap.remapValues(values);
    expect(unmapped).toEqual([]);
    let total = 0;
    for (const v of byNewCode.values()) total += v.value;
    expect(total).toBeCloseTo(10 * 10_035, 6);
    const fromSplit = [...byNewCode.values()].filter((v) => v.estimated);
    expect(fromSplit.length).toBeGreaterThan(0);
    expect(remap.remapValues({ '00001': 5, zzz: 1 })).toMatchObject({ unmapped: ['zzz'] });
    expect(remap.remapValues({ '00001': 5 }).byNewCode.get('00097')).toEqual({ value: 5, estimated: false, sources: ['00001'] });
  });

  it('accepts custom weights', () => {
    const rows = parseMappingCsv('old_commune_code,new_commune_code,merge_type\nA,X,partial\nA,Y,partial\n');
    const r = new Remapping(rows, { weights: () => [3, 1] });
    expect(r.targetsOf('A')!.targets.map((t) => t.weight)).toEqual([0.75, 0.25]);
    expect(() => new Remapping(rows, { weights: () => [1] })).toThrow(DomainError);
    expect(() => parseMappingCsv('old_commune_code,new_commune_code,merge_type\nA,X,half\n')).toThrow(/merge_type/);
  });
});

describe('Hierarchy.withChange', () => {
  const tn = new Hierarchy(VN_PRE2025, pre.pathOf('05611').slice(0, 2).concat(pre.descendantsAtLevel('19', 'district'), pre.descendantsAtLevel('19', 'commune')));

  it('rename', () => {
    const h = tn.withChange({ kind: 'rename', code: '168', name: 'Thị xã Phú Lương', type: 'Thị xã' });
    expect(h.get('168')).toMatchObject({ name: 'Thị xã Phú Lương', shortName: 'Phú Lương', type: 'Thị xã' });
    expect(tn.get('168')?.name).toBe('Huyện Phú Lương'); // immutable
  });

  it('move', () => {
    const h = tn.withChange({ kind: 'move', code: '05611', newParentCode: '167' });
    expect(h.parentOf('05611')?.code).toBe('167');
    expect(h.countDescendantsAtLevel('168', 'commune')).toBe(13);
    expect(() => tn.withChange({ kind: 'move', code: '168', newParentCode: '05611' })).toThrow(/cannot sit under/);
    expect(() => tn.withChange({ kind: 'move', code: '168', newParentCode: 'x' })).toThrow(DomainError);
  });

  it('create and retire', () => {
    const h = tn.withChange({ kind: 'create', unit: { code: '99999', name: 'Xã Mới', type: 'Xã', level: 'commune', parentCode: '168' } });
    expect(h.get('99999')).toMatchObject({ shortName: 'Mới', parentCode: '168' });
    expect(h.countDescendantsAtLevel('19', 'commune')).toBe(tn.countDescendantsAtLevel('19', 'commune') + 1);
    expect(h.withChange({ kind: 'retire', code: '99999' }).has('99999')).toBe(false);
    expect(() => tn.withChange({ kind: 'retire', code: '168' })).toThrow(/children/);
    expect(() => tn.withChange({ kind: 'create', unit: { code: '168', name: 'X', type: 'Xã', level: 'commune', parentCode: '19' } })).toThrow(/exists/);
  });

  it('merge = move children + retire', () => {
    const before = tn.countDescendantsAtLevel('168', 'commune') + tn.countDescendantsAtLevel('167', 'commune');
    const h = tn.withChange({ kind: 'merge', codes: ['167'], into: '168' });
    expect(h.has('167')).toBe(false);
    expect(h.countDescendantsAtLevel('168', 'commune')).toBe(before);
    expect(h.countDescendantsAtLevel('19', 'commune')).toBe(tn.countDescendantsAtLevel('19', 'commune'));
  });

  it('split', () => {
    const kids = tn.childrenOf('168').map((u) => u.code);
    const assign = Object.fromEntries(kids.map((c, i) => [c, i % 2 === 0 ? '168' : '998']));
    const h = tn.withChange({
      kind: 'split',
      code: '168',
      parts: [
        { code: '168', name: 'Huyện Phú Lương', type: 'Huyện' },
        { code: '998', name: 'Huyện Phú Lương Mới', type: 'Huyện' },
      ],
      assign,
    });
    expect(h.childrenOf('168')).toHaveLength(7);
    expect(h.childrenOf('998')).toHaveLength(7);
    expect(h.parentOf('998')?.code).toBe('19');
    expect(() => tn.withChange({ kind: 'split', code: '168', parts: [{ code: '997', name: 'Huyện X', type: 'Huyện' }] })).toThrow(/not assigned/);
  });
});
