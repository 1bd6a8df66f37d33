import { describe, expect, it } from 'vitest';
import { Remapping, counterpartUnits, coversEvery, homeMapOf, transitionBetween, type MapTransition, type MappingRow } from '../src/hierarchy/index';

/** Rights across map versions, on rows of the real pre2025 -> 2025 mapping (data/vn-admin/vn_admin_2025_old_to_new.csv). */
const row = (oldCode: string, newCode: string, mergeType: 'full' | 'partial' = 'full'): MappingRow => ({ oldCode, newCode, mergeType, oldLevel: 'commune', oldName: '', newName: '', note: '' });
const T: MapTransition = {
  from: 'pre2025',
  to: '2025',
  remapping: new Remapping([
    row('01858', '01864'), // Xã Bằng Thành (old) -> Xã Bằng Thành (new)
    row('01861', '01864'),
    row('01864', '01864'), // old 01864 (Xã Bộc Bố) went into new 01864 too
    row('01870', '01864'),
    row('23710', '23869'), // old 23710 (Xã A Dơk) -> new 23869 (Xã Ia Dơk), NOT new 23710
    row('23716', '23710'),
    row('23719', '23710'), // Xã Ia Băng (old) -> Xã Ia Băng (new 23710)
    row('00007', '00008', 'partial'), // Phường Cống Vị, split
    row('00007', '00009', 'partial'),
  ]),
};
// paths on the 2025 map (VN first)
const PATHS_2025: Record<string, string[]> = {
  '01864': ['VN', '19', '01864'],
  '23710': ['VN', '52', '23710'],
  '23869': ['VN', '52', '23869'],
  '00008': ['VN', '01', '00008'],
  '00009': ['VN', '01', '00009'],
};
const covers = (account: string, oldLeaves: string[]) => {
  const counterparts = counterpartUnits(T, 'pre2025', oldLeaves);
  return counterparts !== undefined && coversEvery(account, counterparts.map((c) => PATHS_2025[c] ?? []));
};

describe('rights across map versions', () => {
  it('a 2025 commune covers exactly the old communes merged into it', () => {
    expect(covers('01864', ['01858'])).toBe(true);
    expect(covers('01864', ['01861', '01864', '01870'])).toBe(true);
    expect(covers('23710', ['23716'])).toBe(true);
    expect(covers('23710', ['23719'])).toBe(true);
    // the same code on the old map is another commune, which went elsewhere
    expect(covers('23710', ['23710'])).toBe(false);
    expect(covers('23869', ['23710'])).toBe(true);
  });

  it('an old commune split across new communes is none of theirs alone, but their common province covers it', () => {
    expect(covers('00008', ['00007'])).toBe(false);
    expect(covers('00009', ['00007'])).toBe(false);
    expect(covers('01', ['00007'])).toBe(true);
  });

  it('a 2025 province covers an old province whose communes all went into it (an old unit is judged by all its leaves)', () => {
    expect(covers('52', ['23710', '23716', '23719'])).toBe(true);
    expect(covers('19', ['01858', '01861'])).toBe(true);
    expect(covers('19', ['01858', '23716'])).toBe(false);
  });

  it('gives no rights through units the mapping does not know', () => {
    expect(counterpartUnits(T, 'pre2025', ['99999'])).toBeUndefined();
    expect(counterpartUnits(T, 'pre2025', ['01858', '99999'])).toBeUndefined();
    expect(counterpartUnits(T, 'other', ['01858'])).toBeUndefined();
    expect(coversEvery('19', [])).toBe(false);
  });

  it('maps new communes back to the old ones they came from (an old-map account on new-map data)', () => {
    expect(counterpartUnits(T, '2025', ['01864'])?.sort()).toEqual(['01858', '01861', '01864', '01870']);
    expect(counterpartUnits(T, '2025', ['23710'])?.sort()).toEqual(['23716', '23719']);
    expect(transitionBetween([T], '2025', 'pre2025')).toBe(T);
    expect(transitionBetween([T], '2025', '2025')).toBeUndefined();
  });

  it("reads an account's unit on the map in force, else on the newest map that has it", () => {
    const versions = [
      { id: 'pre2025', validFrom: '2000-01-01', validTo: '2025-06-30' },
      { id: '2025', validFrom: '2025-07-01' },
    ];
    expect(homeMapOf(versions, '2026-12-01', () => true)).toBe('2025');
    expect(homeMapOf(versions, '2026-12-01', (v) => v === 'pre2025')).toBe('pre2025');
    expect(homeMapOf(versions, '2025-01-01', () => true)).toBe('pre2025');
    expect(homeMapOf(versions, '2026-12-01', () => false)).toBeUndefined();
  });
});
