import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Database } from '@tally/sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteReadStore, type SqliteReadStore } from '@tally/readstore';
import { describeReadStoreConformance, runUntilKilled } from '@tally/testkit/conformance';

const tempDirs: string[] = [];
function tempDb(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tally-readstore-'));
  tempDirs.push(dir);
  return join(dir, 'read.db');
}
afterEach(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describeReadStoreConformance('sqlite', async () => {
  const store = openSqliteReadStore(tempDb());
  return { store, cleanup: () => store.close() };
});

describe('SqliteReadStore', () => {
  const stores: SqliteReadStore[] = [];
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
  });
  /** what another connection (another process) sees: only committed rows */
  const committedRows = (path: string, sql: string): Array<Record<string, unknown>> => {
    const db = new Database(path, { readonly: true });
    try {
      return db.prepare(sql).all() as Array<Record<string, unknown>>;
    } finally {
      db.close();
    }
  };
  const openStore = (path: string) => {
    const s = openSqliteReadStore(path);
    stores.push(s);
    return s;
  };

  it('refuses collection and field names outside the safe pattern', async () => {
    const store = openStore(tempDb());
    expect(() => store.collection('a"; DROP TABLE x; --')).toThrow(/invalid collection name/);
    const c = store.collection('ok');
    await expect(c.find({ "a') OR 1=1 --": 'x' })).rejects.toThrow(/invalid field/);
    await expect(c.find({}, { sort: { 'x y': 1 } })).rejects.toThrow(/invalid field/);
    await expect(c.update('d', { set: { '__proto__.polluted': 1 } })).rejects.toThrow(/invalid field path/);
    await expect(c.update('d', { set: { 'a..b': 1 } })).rejects.toThrow(/invalid field path/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses non-scalar filter values instead of guessing', async () => {
    const c = openStore(tempDb()).collection('ops');
    await expect(c.find({ a: { $gt: '' } } as never)).rejects.toThrow(/equality/);
  });

  it('uses the expression index for a dotted equality filter', async () => {
    const path = tempDb();
    const c = openStore(path).collection('indexed');
    await c.ensureIndex(['meta.unit']);
    await c.put({ _id: '1', meta: { unit: 'VN-01' } });
    expect(await c.find({ 'meta.unit': 'VN-01' })).toHaveLength(1);
    // the plan is read through a side connection: the adapter keeps its database handle private
    const db = new Database(path, { readonly: true });
    const plan = db
      .prepare(`EXPLAIN QUERY PLAN SELECT doc FROM "rs_indexed" WHERE json_extract(doc, '$."meta"."unit"') = ?`)
      .all('VN-01') as Array<{ detail: string }>;
    db.close();
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/USING INDEX/);
  });

  it('inc on a non-numeric field fails and changes nothing', async () => {
    const c = openStore(tempDb()).collection('inc');
    await c.put({ _id: 'x', n: 'text' });
    await expect(c.update('x', { inc: { n: 1 } })).rejects.toThrow(/non-numeric/);
    expect(await c.get('x')).toEqual({ _id: 'x', n: 'text' });
  });

  describe('group commit', () => {
    const committedIds = (path: string, table: string): string[] => committedRows(path, `SELECT id FROM "rs_${table}" ORDER BY id`).map((r) => r.id as string);

    it('shows a write to its own readers at once and commits it at flush', async () => {
      const path = tempDb();
      const store = openStore(path);
      const c = store.collection('grouped');
      await c.put({ _id: 'seed' });
      await store.flush();
      await c.put({ _id: 'a', n: 1 });
      await c.update('b', { inc: { n: 2 } });
      expect(await c.get('a')).toEqual({ _id: 'a', n: 1 });
      expect(committedIds(path, 'grouped')).toEqual(['seed']);
      await store.flush();
      expect(committedIds(path, 'grouped')).toEqual(['a', 'b', 'seed']);
    });

    it('commits what nobody flushed once the event-loop turn is over', async () => {
      const path = tempDb();
      const store = openStore(path);
      await store.collection('turn').put({ _id: 'x' });
      await new Promise<void>((resolve) => setImmediate(resolve));
      expect(committedIds(path, 'turn')).toEqual(['x']);
    });

    it('refuses every write and flush once a group was lost (fail-stop); the file keeps what was committed before', async () => {
      const path = tempDb();
      const store = openStore(path);
      const c = store.collection('lost');
      await c.put({ _id: 'kept' });
      await store.flush();
      await c.put({ _id: 'lost' });
      // what SQLite does by itself on SQLITE_FULL or an I/O error: the whole transaction rolled back
      (store as unknown as { db: InstanceType<typeof Database> }).db.exec('ROLLBACK');
      await expect(store.flush()).rejects.toThrow(/rolled back/);
      await expect(c.put({ _id: 'later' })).rejects.toThrow(/rolled back/);
      await expect(store.flush()).rejects.toThrow(/rolled back/);
      expect(committedIds(path, 'lost')).toEqual(['kept']);
    });

    it('undoes only the write that failed, not the others of its group', async () => {
      const path = tempDb();
      const store = openStore(path);
      const c = store.collection('partial');
      await c.put({ _id: 'text', n: 'not a number' });
      await c.put({ _id: 'before', n: 1 });
      await expect(c.updateMany([{ id: 'counted', update: { inc: { n: 1 } } }, { id: 'text', update: { inc: { n: 1 } } }])).rejects.toThrow(/non-numeric/);
      await c.put({ _id: 'after', n: 2 });
      await store.flush();
      expect(committedIds(path, 'partial')).toEqual(['after', 'before', 'text']);
      expect(await c.get('text')).toEqual({ _id: 'text', n: 'not a number' });
    });
  });

  describe('counter names stored by reference', () => {
    // names no other test writes: the name lists' cache is the process's
    const counters = (n: number) => ({ 'sums.REF_A': n, 'sums.REF_B': 2 * n, 'counts.REF_A': 1 });

    it('keeps a list in the row the first time and by reference once it is written again', async () => {
      const path = tempDb();
      const store = openStore(path);
      const shares = store.counters('ref_shares');
      await shares.write([{ id: 'a', fields: { unit: 'A' }, add: counters(1) }]);
      await shares.write([{ id: 'b', fields: { unit: 'B' }, add: counters(5) }]);
      await shares.write([{ id: 'a', add: counters(10) }]);
      await store.flush();
      const keys = Object.fromEntries(committedRows(path, 'SELECT id, keys FROM "rs_ref_shares"').map((r) => [r.id, r.keys as string]));
      expect(keys.b).toMatch(/^#/);
      expect(keys.a).toBe(keys.b);
      expect(committedRows(path, 'SELECT names FROM "rs__counter_key_sets"').map((r) => JSON.parse(r.names as string))).toContainEqual(Object.keys(counters(0)));
      const read = openStore(path).counters('ref_shares'); // another store: nothing cached about this file
      expect((await read.getMany(['a', 'b'])).map((s) => [s._id, s.counters])).toEqual([
        ['a', { ...counters(11), 'counts.REF_A': 2 }],
        ['b', counters(5)],
      ]);
    });

    it('stores the list again after the store dropped its tables', async () => {
      const path = tempDb();
      const store = openStore(path);
      const shares = store.counters('ref_dropped');
      await shares.write([{ id: 'a', add: counters(1) }, { id: 'b', add: counters(2) }]);
      await store.dropAll();
      await shares.write([{ id: 'c', add: counters(3) }]);
      await store.flush();
      expect((await openStore(path).counters('ref_dropped').getMany(['c'])).map((s) => s.counters)).toEqual([counters(3)]);
    });
  });

  it('loses no acknowledged write when a writer process is SIGKILLed', async () => {
    const path = tempDb();
    const script = fileURLToPath(new URL('./fixtures/write-until-killed.ts', import.meta.url));
    const { acked, signal } = await runUntilKilled(script, [path, 'one'], { killAfter: 300 });
    expect(signal).toBe('SIGKILL');

    const store = openStore(path);
    const found = await store.collection('crash_reports').getMany(acked);
    expect(found.map((d) => d._id).sort()).toEqual([...acked].sort());
    const total = await store.collection('crash_totals').get('one');
    expect(total?.count).toBe(total?.applied);
    expect(total?.applied as number).toBeGreaterThanOrEqual(acked.length);
  }, 60_000);
});
