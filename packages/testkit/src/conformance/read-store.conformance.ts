import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Collection, Doc, Filter, ReadStore } from '@tally/readstore';
import { describeCounterCollectionConformance } from './counter-collection.conformance';
import { uniqueSuffix } from './wait-for';

export interface ReadStoreHarness {
  store: ReadStore;
  /** closes the store and removes its data */
  cleanup(): Promise<void>;
}

/** The behaviour every ReadStore adapter must have. The factory runs once per test. */
export interface ReadStoreConformanceOptions {
  /** why the adapter cannot pass the batch-guard test on the server at hand (the test is then skipped, saying so) */
  skipBatchGuard?: string;
}

export function describeReadStoreConformance(adapterName: string, factory: () => Promise<ReadStoreHarness>, options: ReadStoreConformanceOptions = {}): void {
  describe(`ReadStore conformance: ${adapterName}`, () => {
    let harness: ReadStoreHarness;
    let store: ReadStore;
    let prefix: string;
    let coll: Collection;

    beforeEach(async () => {
      harness = await factory();
      store = harness.store;
      prefix = `conf_${uniqueSuffix()}_`;
      coll = store.collection(`${prefix}reports`);
    });
    afterEach(async () => {
      await store.dropAll(prefix);
      await harness.cleanup();
    });
    describeCounterCollectionConformance(() => ({ store, prefix }));

    const seed = async () => {
      const docs: Doc[] = [
        { _id: 'r1', unit: 'VN-01', period: '2025-07', status: 'submitted', total: 30, meta: { level: 'commune', ok: true } },
        { _id: 'r2', unit: 'VN-01', period: '2025-08', status: 'approved', total: 10, meta: { level: 'commune', ok: false } },
        { _id: 'r3', unit: 'VN-02', period: '2025-07', status: 'submitted', total: 20, meta: { level: 'district', ok: true } },
        { _id: 'r4', unit: 'VN-03', period: '2025-07', status: 'draft', total: '20', meta: { level: 'commune' }, note: null },
      ];
      for (const d of docs) await coll.put(d);
      return docs;
    };
    const ids = (docs: Doc[]) => docs.map((d) => d._id);

    it('gets, replaces, gets many and deletes documents', async () => {
      const doc = { _id: 'a', text: 'Hà Nội ✓', n: 1.5, list: [1, { x: 'y' }], nested: { deep: { v: true } }, nothing: null };
      await coll.put(doc);
      expect(await coll.get('a')).toEqual(doc);
      expect(await coll.get('missing')).toBeNull();
      await coll.put({ _id: 'a', only: 1 });
      expect(await coll.get('a')).toEqual({ _id: 'a', only: 1 });
      await coll.put({ _id: 'b', only: 2 });
      expect(ids(await coll.getMany(['a', 'b', 'zzz'])).sort()).toEqual(['a', 'b']);
      await coll.delete('a');
      expect(await coll.get('a')).toBeNull();
      await coll.delete('a');
    });

    it('finds by equality on top-level and dotted fields, telling types apart', async () => {
      await seed();
      expect(ids(await coll.find({ unit: 'VN-01' })).sort()).toEqual(['r1', 'r2']);
      expect(ids(await coll.find({ unit: 'VN-01', period: '2025-07' }))).toEqual(['r1']);
      expect(ids(await coll.find({ 'meta.level': 'commune' })).sort()).toEqual(['r1', 'r2', 'r4']);
      expect(ids(await coll.find({ 'meta.ok': true })).sort()).toEqual(['r1', 'r3']);
      expect(ids(await coll.find({ total: 20 }))).toEqual(['r3']);
      expect(ids(await coll.find({ total: '20' }))).toEqual(['r4']);
      expect(ids(await coll.find({ _id: 'r2' }))).toEqual(['r2']);
      expect(await coll.find({ unit: 'nowhere' })).toEqual([]);
      expect(await coll.count({ status: 'submitted' })).toBe(2);
      expect(await coll.count({})).toBe(4);
    });

    it('sorts, limits and skips', async () => {
      await seed();
      const submitted = { status: 'submitted' };
      expect(ids(await coll.find(submitted, { sort: { total: 1 } }))).toEqual(['r3', 'r1']);
      expect(ids(await coll.find(submitted, { sort: { total: -1 } }))).toEqual(['r1', 'r3']);
      expect(ids(await coll.find({ 'meta.level': 'commune' }, { sort: { _id: -1 }, limit: 2 }))).toEqual(['r4', 'r2']);
      expect(ids(await coll.find({}, { sort: { period: 1, unit: -1 }, skip: 1, limit: 2 }))).toEqual(['r3', 'r1']);
    });

    it('updates with dotted set, inc, unset and setOnInsert, upserting', async () => {
      expect(await coll.update('u', { set: { 'values.HH_TOTAL': 5, status: 'new' }, inc: { count: 2 }, setOnInsert: { createdAt: 't0' } })).toBe(true);
      expect(await coll.get('u')).toEqual({ _id: 'u', values: { HH_TOTAL: 5 }, status: 'new', count: 2, createdAt: 't0' });

      await coll.update('u', { set: { 'values.HH_MALE': 3 }, inc: { count: 3, 'values.HH_TOTAL': -1 }, setOnInsert: { createdAt: 't1' } });
      expect(await coll.get('u')).toEqual({ _id: 'u', values: { HH_TOTAL: 4, HH_MALE: 3 }, status: 'new', count: 5, createdAt: 't0' });

      await coll.update('u', { unset: ['values.HH_MALE', 'status', 'not.there'] });
      expect(await coll.get('u')).toEqual({ _id: 'u', values: { HH_TOTAL: 4 }, count: 5, createdAt: 't0' });
    });

    it('applies a guarded update once: redelivery changes nothing', async () => {
      const apply = () => coll.update('g', { inc: { total: 10 }, set: { 'by.unit': 1 } }, { field: 'applied', below: 7 });
      expect(await apply()).toBe(true);
      const after = await coll.get('g');
      expect(after).toEqual({ _id: 'g', total: 10, by: { unit: 1 }, applied: 7 });
      expect(await apply()).toBe(false);
      expect(await coll.get('g')).toEqual(after);
      expect(await coll.update('g', { inc: { total: 1 } }, { field: 'applied', below: 3 })).toBe(false);
      expect(await coll.update('g', { inc: { total: 1 } }, { field: 'applied', below: 8 })).toBe(true);
      expect(await coll.get('g')).toMatchObject({ total: 11, applied: 8 });
      expect(await coll.update('g2', { set: { x: 1 } }, { field: 'pos.v', below: 1 })).toBe(true);
      expect(await coll.get('g2')).toEqual({ _id: 'g2', x: 1, pos: { v: 1 } });
    });

    it('applies many updates at once and counts those that applied', async () => {
      await coll.update('m1', { set: { n: 1 } }, { field: 'applied', below: 5 });
      const applied = await coll.updateMany([
        { id: 'm1', update: { inc: { n: 1 } }, guard: { field: 'applied', below: 5 } },
        { id: 'm1', update: { inc: { n: 10 } }, guard: { field: 'applied', below: 6 } },
        { id: 'm2', update: { set: { n: 2 } } },
        { id: 'm2', update: { inc: { n: 2 } } },
      ]);
      expect(applied).toBe(3);
      expect(await coll.get('m1')).toEqual({ _id: 'm1', n: 11, applied: 6 });
      expect(await coll.get('m2')).toEqual({ _id: 'm2', n: 4 });
    });

    it('applies the same guards when given the documents the caller just read', async () => {
      await coll.update('r1', { set: { n: 1 } }, { field: 'applied', below: 5 });
      const read = new Map((await coll.getMany(['r1', 'r2'])).map((d) => [d._id, d]));
      const known = new Map([['r1', read.get('r1') ?? null], ['r2', read.get('r2') ?? null]]);
      const applied = await coll.updateMany(
        [
          { id: 'r1', update: { inc: { n: 1 } }, guard: { field: 'applied', below: 5 } }, // already applied: skipped
          { id: 'r1', update: { inc: { n: 10 } }, guard: { field: 'applied', below: 6 } },
          { id: 'r2', update: { set: { n: 2 } }, guard: { field: 'applied', below: 1 } },
        ],
        known,
      );
      expect(applied).toBe(2);
      expect(await coll.get('r1')).toEqual({ _id: 'r1', n: 11, applied: 6 });
      expect(await coll.get('r2')).toEqual({ _id: 'r2', n: 2, applied: 1 });
    });

    const batchGuard = 'checks each guard of a batch against the writes of its earlier ops, and applies the rest once';
    it.skipIf(options.skipBatchGuard !== undefined)(options.skipBatchGuard ? `${batchGuard} (skipped: ${options.skipBatchGuard})` : batchGuard, async () => {
      const applied = await coll.updateMany([
        { id: 'm3', update: { inc: { n: 1 } }, guard: { field: 'applied', below: 4 } },
        { id: 'm4', update: { inc: { n: 1 } } },
        { id: 'm3', update: { inc: { n: 1 } }, guard: { field: 'applied', below: 4 } }, // a redelivery of the first
        { id: 'm4', update: { inc: { n: 1 } } },
      ]);
      expect(applied).toBe(3);
      expect(await coll.get('m3')).toEqual({ _id: 'm3', n: 1, applied: 4 });
      expect(await coll.get('m4')).toEqual({ _id: 'm4', n: 2 });
    });

    it('treats operator-looking filter values as plain values, never as operators', async () => {
      await seed();
      await coll.put({ _id: 'evil', unit: "{$gt: ''}", status: '$ne' });
      expect(ids(await coll.find({ unit: "{$gt: ''}" }))).toEqual(['evil']);
      expect(ids(await coll.find({ status: '$ne' }))).toEqual(['evil']);
      const refusedOrNothing = async (filter: unknown) => {
        const result = await coll.find(filter as Filter).then(
          (docs) => docs,
          () => [],
        );
        expect(result).toEqual([]);
      };
      await refusedOrNothing({ unit: { $gt: '' } });
      await refusedOrNothing({ unit: { $ne: 'x' } });
      await refusedOrNothing({ unit: ['VN-01'] });
      await refusedOrNothing({ $where: 'true' });
      await refusedOrNothing({ $or: [{ unit: 'VN-01' }] });
    });

    it('keeps working with an index', async () => {
      await seed();
      await coll.ensureIndex(['unit', 'period']);
      await coll.ensureIndex(['meta.level']);
      await coll.ensureIndex(['unit', 'period']);
      expect(ids(await coll.find({ unit: 'VN-01', period: '2025-08' }))).toEqual(['r2']);
      expect(await coll.count({ 'meta.level': 'district' })).toBe(1);
    });

    it('drops only the collections with the given prefix', async () => {
      const other = store.collection(`${prefix}other`);
      const kept = store.collection(`keep_${prefix}`);
      await coll.put({ _id: 'x' });
      await other.put({ _id: 'y' });
      await kept.put({ _id: 'z' });
      await store.dropAll(prefix);
      expect(await coll.get('x')).toBeNull();
      expect(await other.count({})).toBe(0);
      expect(await kept.get('z')).toEqual({ _id: 'z' });
      await store.dropAll(`keep_${prefix}`);
    });
  });
}
