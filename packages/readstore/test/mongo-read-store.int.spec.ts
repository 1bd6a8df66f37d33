// Integration: the ReadStore conformance suite against a real MongoDB-wire server (FerretDB locally; testkit's
// global setup provides it).
import { MongoClient } from 'mongodb';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { createMongoReadStore, type MongoReadStore } from '@tally/readstore';
import { describeReadStoreConformance, uniqueSuffix } from '@tally/testkit/conformance';

const mongoUrl = inject('mongoUrl');
const serverIsFerretDb = mongoUrl ? await probeFerretDb(mongoUrl) : false;

async function probeFerretDb(url: string): Promise<boolean> {
  const client = new MongoClient(url);
  try {
    await client.connect();
    return 'ferretdbVersion' in (await client.db('admin').command({ buildInfo: 1 }));
  } finally {
    await client.close();
  }
}

describe.skipIf(!mongoUrl)('MongoReadStore (real server)', () => {
  let admin: MongoClient;
  const dbName = `rs_${uniqueSuffix()}`;
  beforeAll(async () => {
    admin = new MongoClient(mongoUrl);
    await admin.connect();
  });
  afterAll(async () => {
    await admin.db(dbName).dropDatabase().catch(() => undefined);
    await admin.close();
  });

  // one database for the suite: the conformance suite prefixes its collections per test and drops them.
  // Twice: with the server's own dialect (FerretDB here: lookups by _id, guards checked by the store) and with the
  // MongoDB dialect forced (guards in the query filter, as on a real MongoDB; FerretDB accepts them, slowly).
  // FerretDB 1.24 applies an ordered bulk write past a failed op and reports the failure at index 0, so a batch whose
  // guard fails midway cannot be resumed correctly in the MongoDB dialect there (real MongoDB stops at the failed op
  // and reports its index); that one test needs a real MongoDB.
  describeReadStoreConformance('mongodb (detected dialect)', async () => {
    const store = await createMongoReadStore({ url: mongoUrl, dbName });
    return { store, cleanup: () => store.close() };
  });
  describeReadStoreConformance(
    'mongodb (MongoDB dialect)',
    async () => {
      const store = await createMongoReadStore({ url: mongoUrl, dbName, dialect: 'mongodb' });
      return { store, cleanup: () => store.close() };
    },
    serverIsFerretDb ? { skipBatchGuard: 'FerretDB misreports the failed index of an ordered bulk write' } : {},
  );

  describe('MongoReadStore specifics', () => {
    const stores: MongoReadStore[] = [];
    afterEach(async () => {
      for (const s of stores.splice(0)) {
        await s.dropAll('spec_');
        await s.close();
      }
    });
    const openStore = async () => {
      const s = await createMongoReadStore({ url: mongoUrl, dbName });
      stores.push(s);
      return s;
    };

    it('refuses operator-shaped filters, bad names and paths instead of passing them to the server', async () => {
      const store = await openStore();
      expect(() => store.collection('a$b')).toThrow(/invalid collection name/);
      expect(() => store.collection('system.users')).toThrow(/invalid collection name/);
      const c = store.collection(`spec_${uniqueSuffix()}`);
      await expect(c.find({ a: { $gt: '' } } as never)).rejects.toThrow(/equality/);
      await expect(c.find({ $where: 'true' } as never)).rejects.toThrow(/invalid field/);
      await expect(c.count({ a: ['x'] } as never)).rejects.toThrow(/equality/);
      await expect(c.find({}, { sort: { 'x y': 1 } })).rejects.toThrow(/invalid field/);
      await expect(c.update('d', { set: { '__proto__.polluted': 1 } })).rejects.toThrow(/invalid field path/);
      await expect(c.update('d', { inc: { $x: 1 } as never })).rejects.toThrow(/invalid field/);
    });

    it('detects the server it talks to', async () => {
      const store = await openStore();
      const info = await admin.db('admin').command({ buildInfo: 1 });
      expect(store.dialect).toBe('ferretdbVersion' in info ? 'ferretdb' : 'mongodb');
    });

    it('creates a document with an empty update, and treats a stale guarded upsert as not applied', async () => {
      const c = (await openStore()).collection(`spec_${uniqueSuffix()}`);
      expect(await c.update('e', {})).toBe(true);
      expect(await c.get('e')).toEqual({ _id: 'e' });
      expect(await c.update('e', { setOnInsert: { a: 1 }, set: { a: 2 } })).toBe(true);
      expect(await c.get('e')).toEqual({ _id: 'e', a: 2 });
      await c.put({ _id: 's', applied: 'not a number' });
      expect(await c.update('s', { set: { x: 1 } }, { field: 'applied', below: 5 })).toBe(false);
      expect(await c.updateMany([])).toBe(0);
    });

    it('adds to a counter share another process created (its insert of a share new to it finds one) and inserts new ones whole', async () => {
      const name = `spec_${uniqueSuffix()}`;
      const a = (await openStore()).counters(name);
      const b = (await openStore()).counters(name);
      expect(await a.write([
        { id: 'x', fields: { orgUnit: 'Xã Đông', partition: 1 }, add: { n: 1, 'sums.K': 2 }, guard: 1 },
        { id: 'y', add: { n: 5 }, set: { m: 7 }, guard: 1 },
      ])).toBe(2);
      // b has read neither: with the applied positions given (as the rollup passes them), x and z are new to it
      expect(await b.write([
        { id: 'x', add: { n: 2 }, addAll: [{ n: 10 }], remove: ['sums.K'], guard: 2 },
        { id: 'z', fields: { partition: 2 }, add: { n: 3 }, addAll: [{ n: 1, 'sums.K': 4 }], set: { m: 4 }, remove: ['gone'], guard: 2 },
        { id: 'w', add: { n: 1 } },
      ], new Map([['x', 1], ['z', 0]]))).toBe(3);
      expect(await a.getMany(['x', 'y', 'z', 'w'])).toEqual([
        { _id: 'x', fields: { orgUnit: 'Xã Đông', partition: 1 }, applied: 2, counters: { n: 13 } },
        { _id: 'y', fields: {}, applied: 1, counters: { n: 5, m: 7 } },
        { _id: 'z', fields: { partition: 2 }, applied: 2, counters: { n: 4, 'sums.K': 4, m: 4 } },
        { _id: 'w', fields: {}, applied: 0, counters: { n: 1 } },
      ]);
      // a stale guard still skips, whether the share is new to the writer or not
      expect(await b.write([{ id: 'y', add: { n: 100 }, guard: 1 }], new Map([['y', 1]]))).toBe(0);
      expect(await a.write([{ id: 'z', add: { n: 100 }, guard: 2 }])).toBe(0);
      expect((await a.getMany(['y', 'z'])).map((s) => s.counters.n)).toEqual([5, 4]);
    });
  });
});
