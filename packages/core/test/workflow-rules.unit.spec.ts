import { describe, expect, it } from 'vitest';
import { MAP_SUCCESSION, NATIONAL_LEVEL, actingLevelOf, lockLevelOf, mayLock, mayUnlock, VN_2025, VN_PRE2025 } from '@tally/core';

describe('who may act on a report (core rules)', () => {
  it('a caller acts at their unit level; the national unit at the national level', () => {
    expect(actingLevelOf('VN', undefined)).toBe(NATIONAL_LEVEL);
    expect(actingLevelOf('01', 'province')).toBe('province');
    expect(actingLevelOf('99999', undefined)).toBe('unknown');
  });

  it('a report is locked at its top approval level (province without levels), by that level or nationally', () => {
    expect(lockLevelOf(['district', 'province'])).toBe('province');
    expect(lockLevelOf([])).toBe('province');
    expect(mayLock('province', ['district', 'province'])).toBe(true);
    expect(mayLock('district', ['district', 'province'])).toBe(false);
    expect(mayLock(NATIONAL_LEVEL, ['district'])).toBe(true);
  });

  it('only a province (or a national account) unlocks', () => {
    expect(mayUnlock('province')).toBe(true);
    expect(mayUnlock(NATIONAL_LEVEL)).toBe(true);
    expect(mayUnlock('district')).toBe(false);
    expect(mayUnlock('commune')).toBe(false);
  });

  it('the shipped maps succeed each other pre2025 -> 2025', () => {
    expect(MAP_SUCCESSION).toEqual([{ from: VN_PRE2025.id, to: VN_2025.id }]);
  });
});
