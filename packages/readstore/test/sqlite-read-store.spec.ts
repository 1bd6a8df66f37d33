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
