import { describe, expect, it } from 'vitest';
import { benchCatalog, expectedTotals, generateWorkload, reportBody, slotKey } from '../src/workload';

describe('bench workload generator', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const a = generateWorkload({ map: '2025', communes: 200, valuesPerReport: 12, seed: 7 });
    const b = generateWorkload({ map: '2025', communes: 200, valuesPerReport: 12, seed: 7 });
    const c = generateWorkload({ map: '2025', communes: 200, valuesPerReport: 12, seed: 8 });
    const digest = (w: typeof a) => w.ops.map((o) => reportBody(w, o)).join('\n');
    expect(digest(a)).toBe(digest(b));
    expect(digest(a)).not.toBe(digest(c));
    expect(a.reports).toHaveLength(200);
    expect(new Set(a.reports).size).toBe(200);
  });

  it('takes every commune of the map by default', () => {
    expect(generateWorkload({ map: '2025', valuesPerReport: 1 }).reports).toHaveLength(3321);
  });

  it('builds K values per report, some disaggregated, in a catalog of INTEGER SUM elements', () => {
    const c = benchCatalog(23);
    expect(c.slots).toHaveLength(23);
    expect(c.slots.some((s) => s.optionCombo === 'MALE')).toBe(true);
    expect(new Set(c.slots.map(slotKey)).size).toBe(23);
    const elements = c.json.dataElements as Array<{ valueType: string; aggregation: string }>;
    expect(elements.every((e) => e.valueType === 'INTEGER' && e.aggregation === 'SUM')).toBe(true);
    expect(c.json.templates).toMatchObject([{ periodType: 'SIXMONTHLY', reportingLevel: 'commune' }]);
  });

  it('puts most arrivals in the deadline burst, and every amendment or retry after what it depends on', () => {
    const w = generateWorkload({ map: 'pre2025', communes: 2000, valuesPerReport: 5, seed: 3 });
    const firsts = w.ops.filter((o) => o.kind === 'submit');
    expect(firsts.filter((o) => o.at >= 0.9).length / firsts.length).toBeGreaterThan(0.6);
    const amends = w.ops.filter((o) => o.kind === 'amend');
    const retries = w.ops.filter((o) => o.kind === 'retry');
    expect(amends.length).toBeGreaterThan(50);
    expect(retries.length).toBeGreaterThan(20);
    for (const op of [...amends, ...retries]) {
      const dep = w.ops[op.after!]!;
      expect(dep.kind).toBe('submit');
      expect(dep.report).toBe(op.report);
      expect(op.index).toBeGreaterThan(dep.index);
    }
    for (const r of retries) expect(r.submissionId).toBe(w.ops[r.after!]!.submissionId);
    for (const a of amends) expect(a.reason).toBeTruthy();
  });

  it('expects the last version of each report, summed nationally and per province', () => {
    const w = generateWorkload({ map: '2025', communes: 300, valuesPerReport: 6, seed: 11, amendShare: 0.5 });
    const e = expectedTotals(w);
    expect(e.reports).toBe(300);
    const latest = new Map<number, (typeof w.ops)[number]>();
    for (const op of w.ops) if (!latest.has(op.report) || op.version > latest.get(op.report)!.version) latest.set(op.report, op);
    const key = slotKey(w.catalog.slots[0]!);
    let national = 0;
    for (const op of latest.values()) national += op.values[0]!;
    expect(e.national[key]).toBe(national);
    const byProvince = Object.values(e.byProvince).reduce((sum, p) => sum + (p[key] ?? 0), 0);
    expect(byProvince).toBe(national);
    // a disaggregated element also has its total
    const d = w.catalog.disaggregated[0]!;
    expect(e.national[d.dataElement]).toBe(d.slots.reduce((s, i) => s + e.national[slotKey(w.catalog.slots[i]!)]!, 0));
    // only the acknowledged ones (chaos): without amendments the totals are the first versions'
    const firstsOnly = expectedTotals(w, w.ops.filter((o) => o.kind === 'submit'));
    expect(firstsOnly.reports).toBe(300);
    expect(firstsOnly.national[key]).not.toBe(e.national[key]);
  });
});
