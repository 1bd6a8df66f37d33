import { describe, expect, it } from 'vitest';
import type { ReadStore } from '@tally/readstore';

/**
 * The behaviour every ReadStore adapter's counter collections (`ReadStore.counters`) must have; run inside the
 * read store conformance suite, on its store and per-test prefix.
 */
export function describeCounterCollectionConformance(current: () => { store: ReadStore; prefix: string }): void {
  describe('counter collections', () => {
    const counters = () => current().store.counters(`${current().prefix}shares`);

    it('adds, sets and removes counters whose names hold dots, colons and Vietnamese text', async () => {
      const c = counters();
      const fields = { cell: 'pre2025|latest|VN|2024', orgUnit: 'VN', partition: 3 };
      expect(await c.write([{ id: 's1', fields, add: { 'sums.HH:F': 2.5, estimates: 1, 'received.Tổng': 1 }, set: { 'mins.K.report-1': 7 } }])).toBe(1);
      await c.write([{ id: 's1', add: { 'sums.HH:F': 1.5, 'counts.HH:F': 1, estimates: -1 }, set: { 'mins.K.report-2': 3 }, remove: ['mins.K.report-1'] }]);
      const [s1] = await c.getMany(['s1', 'missing']);
      expect(s1).toEqual({
        _id: 's1',
        fields,
        applied: 0,
        counters: { 'sums.HH:F': 4, 'counts.HH:F': 1, estimates: 0, 'received.Tổng': 1, 'mins.K.report-2': 3 },
      });
      expect(await c.getMany([])).toEqual([]);
    });

    it('keeps hundreds of counters exactly as they grow, shrink and are added to again', async () => {
      const c = counters();
      const expected: Record<string, number> = {};
      for (let round = 0; round < 3; round++) {
        const add: Record<string, number> = {};
        for (let i = 0; i < 100 * (round + 1); i++) add[`sums.E${i}:${round % 2 === 0 ? 'M' : 'F'}`] = i + 0.25 * round;
        for (const [k, v] of Object.entries(add)) expected[k] = (expected[k] ?? 0) + v;
        const remove = round === 1 ? ['sums.E3:M', 'sums.E7:M'] : [];
        for (const k of remove) delete expected[k];
        await c.write([{ id: 'big', add, remove }]);
      }
      expect((await c.getMany(['big']))[0]?.counters).toEqual(expected);
      expect(Object.keys(expected)).toHaveLength(500);
    });

    it('adds every record of addAll after add, the same records shared by several shares and writes', async () => {
      const c = counters();
      const delta = { 'sums.E1': 2, 'sums.E2': 3 };
      const own = { 'received.T': 1, 'sums.E1': 0.5 };
      await c.write([
        { id: 'commune', add: { estimates: 1 }, addAll: [delta, own], guard: 1 },
        { id: 'province', addAll: [delta], guard: 1 },
        { id: 'new', addAll: [delta] },
      ]);
      await c.write([{ id: 'province', addAll: [delta, delta], set: { 'mins.E1.x': 4 }, guard: 2 }]);
      // a record changed between calls is read again
      delta['sums.E2'] = -3;
      await c.write([{ id: 'new', addAll: [delta] }]);
      const byId = Object.fromEntries((await c.getMany(['commune', 'province', 'new'])).map((s) => [s._id, s.counters]));
      expect(byId).toEqual({
        commune: { estimates: 1, 'sums.E1': 2.5, 'sums.E2': 3, 'received.T': 1 },
        province: { 'sums.E1': 6, 'sums.E2': 9, 'mins.E1.x': 4 },
        new: { 'sums.E1': 4, 'sums.E2': 0 },
      });
      await expect(c.write([{ id: 'bad', addAll: [{ ok: 1 }, { n: Number.NaN }] }])).rejects.toThrow();
    });

    it('builds new shares from the same combination of records again and again, whatever their values', async () => {
      const c = counters();
      // the same names in every call (one report shape), other values; `own` overlaps the delta on sums.E1
      const call = (n: number) => ({ delta: { 'sums.E1': n, 'sums.E2': 2 * n }, own: { 'received.T': 1, 'sums.E1': 0.5 } });
      const first = call(1);
      await c.write([
        { id: 'n1', addAll: [first.delta, first.own] },
        { id: 'n2', addAll: [first.delta, first.own] },
        { id: 'n3', addAll: [first.own, first.delta] },
      ]);
      const second = call(10);
      await c.write([
        // an empty set and remove, as the rollup writes most shares
        { id: 'n4', addAll: [second.delta, second.own], set: {}, remove: [] },
        { id: 'n1', addAll: [second.delta, second.own] },
        { id: 'n5', add: { estimates: 1 }, addAll: [second.delta, second.own], set: {} },
        { id: 'n6', addAll: [second.own], set: {}, remove: [] },
      ]);
      const byId = Object.fromEntries((await c.getMany(['n1', 'n2', 'n3', 'n4', 'n5', 'n6'])).map((s) => [s._id, s.counters]));
      expect(byId).toEqual({
        n1: { 'sums.E1': 12, 'sums.E2': 22, 'received.T': 2 },
        n2: { 'sums.E1': 1.5, 'sums.E2': 2, 'received.T': 1 },
        n3: { 'received.T': 1, 'sums.E1': 1.5, 'sums.E2': 2 },
        n4: { 'sums.E1': 10.5, 'sums.E2': 20, 'received.T': 1 },
        n5: { estimates: 1, 'sums.E1': 10.5, 'sums.E2': 20, 'received.T': 1 },
        n6: { 'received.T': 1, 'sums.E1': 0.5 },
      });
    });

    it('writes a guarded batch once: a share whose applied position is not below the guard is skipped', async () => {
      const c = counters();
      const batch = [
        { id: 'a', fields: { unit: 'A' }, add: { n: 1 }, guard: 5 },
        { id: 'b', fields: { unit: 'B' }, add: { n: 10 }, guard: 5 },
      ];
      expect(await c.write(batch)).toBe(2);
      expect(await c.write(batch)).toBe(0); // redelivered: nothing changes
      expect(await c.write([{ id: 'a', add: { n: 1 }, guard: 4 }, { id: 'b', add: { n: 1 }, guard: 6 }, { id: 'c', add: { n: 100 }, guard: 6 }])).toBe(2);
      const applied = await c.appliedOf(['a', 'b', 'c', 'none']);
      expect(Object.fromEntries(applied)).toEqual({ a: 5, b: 6, c: 6, none: 0 });
      const byId = Object.fromEntries((await c.getMany(['a', 'b', 'c'])).map((s) => [s._id, s.counters.n]));
      expect(byId).toEqual({ a: 1, b: 11, c: 100 });
      // an unguarded write applies and leaves the position as it is
      expect(await c.write([{ id: 'a', set: { m: 2 } }])).toBe(1);
      expect((await c.appliedOf(['a'])).get('a')).toBe(5);
    });

    it('finds shares by equality on their fields, with an index', async () => {
      const c = counters();
      await c.ensureIndex(['hierarchy', 'orgUnit']);
      await c.write([
        { id: 'x|p0', fields: { hierarchy: 'pre2025', orgUnit: 'Xã Đông', partition: 0 }, add: { n: 1 } },
        { id: 'x|p1', fields: { hierarchy: 'pre2025', orgUnit: 'Xã Đông', partition: 1 }, add: { n: 2 } },
        { id: 'y|p0', fields: { hierarchy: '2025', orgUnit: 'Xã Đông', partition: 0 }, add: { n: 3 } },
      ]);
      const found = await c.find({ hierarchy: 'pre2025', orgUnit: 'Xã Đông' });
      expect(found.map((s) => [s._id, s.counters.n])).toEqual([
        ['x|p0', 1],
        ['x|p1', 2],
      ]);
      expect(await c.find({ hierarchy: 'pre2025', orgUnit: 'Xa Dong' })).toEqual([]);
      // the first ones in _id order; 0 means all
      expect((await c.find({ orgUnit: 'Xã Đông' }, { limit: 2 })).map((s) => s._id)).toEqual(['x|p0', 'x|p1']);
      expect((await c.find({ partition: 0 }, { limit: 1 })).map((s) => s._id)).toEqual(['x|p0']);
      expect((await c.find({ partition: 0 }, { limit: 0 })).map((s) => s._id)).toEqual(['x|p0', 'y|p0']);
      expect(await c.find({ partition: 2 }, { limit: 1 })).toEqual([]);
      await expect(c.find({ partition: 0 }, { limit: -1 })).rejects.toThrow(/limit/);
    });

    it('refuses what it cannot keep: non-finite numbers, object fields, empty ids', async () => {
      const c = counters();
      await expect(c.write([{ id: 'a', add: { n: Number.NaN } }])).rejects.toThrow(/finite/);
      await expect(c.write([{ id: 'a', fields: { f: { $gt: 1 } as never } }])).rejects.toThrow(/scalar/);
      await expect(c.write([{ id: '', add: { n: 1 } }])).rejects.toThrow(/id/);
      expect(await c.getMany(['a'])).toEqual([]);
    });

    it('is dropped with the other collections of its prefix', async () => {
      const c = counters();
      await c.write([{ id: 'a', add: { n: 1 } }]);
      await current().store.dropAll(current().prefix);
      expect(await counters().getMany(['a'])).toEqual([]);
      await counters().write([{ id: 'a', add: { n: 2 } }]);
      expect((await counters().getMany(['a']))[0]?.counters).toEqual({ n: 2 });
    });
  });
}
