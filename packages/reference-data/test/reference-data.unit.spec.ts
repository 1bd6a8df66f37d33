import { describe, expect, it } from 'vitest';
import { loadHierarchies, loadMapping, loadRemapping } from '../src/index';

describe('reference-data loader', () => {
  it('loads both hierarchy versions from the repository copy', () => {
    const reg = loadHierarchies();
    expect(reg.ids()).toEqual(['pre2025', '2025']);
    expect(reg.forDate('2025-06-30').units('commune')).toHaveLength(10_035);
    expect(reg.forDate('2025-07-01').units('commune')).toHaveLength(3_321);
    expect(loadHierarchies()).toBe(reg); // cached
  });

  it('loads the mapping', () => {
    expect(loadMapping()).toHaveLength(10_604);
    expect(loadRemapping().targetsOf('05611')?.targets.length).toBeGreaterThan(0);
  });

  it('fails clearly for a missing directory', () => {
    expect(() => loadHierarchies('/nonexistent/dir')).toThrow(/cannot read/);
  });
});
